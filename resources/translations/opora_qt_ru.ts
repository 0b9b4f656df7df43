<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Qt 6.12's strings that qtbase_ru.qm does not translate (the file dialog's labels changed their
     accelerators in Qt 6, the file icon provider's types are new): compiled to opora_qt_ru.qm with
     `.venv/bin/pyside6-lrelease resources/translations/opora_qt_ru.ts`, loaded after qtbase_ru. -->
<TS version="2.1" language="ru_RU">
<context>
    <name>QFileDialog</name>
    <message><source>&amp;Look in:</source><translation>&amp;Папка:</translation></message>
    <message><source>Files of &amp;type:</source><translation>&amp;Тип файлов:</translation></message>
</context>
<context>
    <name>QAbstractFileIconProvider</name>
    <message><source>Folder</source><translation>Папка</translation></message>
    <message><source>File</source><translation>Файл</translation></message>
    <message><source>%1 File</source><translation>Файл %1</translation></message>
    <message><source>Drive</source><translation>Диск</translation></message>
    <message><source>Unknown</source><translation>Неизвестно</translation></message>
    <message><source>Computer</source><translation>Компьютер</translation></message>
    <message><source>Desktop</source><translation>Рабочий стол</translation></message>
    <message><source>Trashcan</source><translation>Корзина</translation></message>
    <message><source>Network</source><translation>Сеть</translation></message>
</context>
</TS>
