#!/bin/sh
# count-words FILE: one line per word, "COUNT WORD", most frequent first.
tr -cs 'A-Za-z' '\n' < "$1" | tr 'A-Z' 'a-z' | grep -v '^$' | sort | uniq -c | sort -k1,1nr -k2 | awk '{print $1, $2}'
