"""Related-data sections of a code page.

Each module here exposes `context(code: Code) -> dict | None`: the data of its section
for one code as JSON-serialisable values (None when the section has nothing for that
code), fetched with a constant number of queries. The code page renders it with
`templates/codes/sections/_<module>.html`, and the JSON API includes it as is.
"""
