"""«Сетевое партнёрство»: the page, the map of the district's schools and partnerships, the export."""
