"""WARC 1.1 writing and reading: records from HTTP exchanges, a rotating writer, random access by offset."""
