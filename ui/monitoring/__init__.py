"""The «Мониторинг» page: campaigns of a year, the schools × criteria matrix and one school's checklist."""
