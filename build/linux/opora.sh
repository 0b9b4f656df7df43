#!/bin/sh
# /usr/bin/opora: «Опора» lives in /opt/opora (one folder, built by PyInstaller).
exec /opt/opora/opora "$@"
