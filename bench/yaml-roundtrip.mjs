#!/usr/bin/env node
// The naive post-renderer: parse every document of stdin with `yaml` and print it back, no edits.
// It is the floor of "just use a YAML library" designs, which gateway-compat is compared against.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const docs = parseAllDocuments(readFileSync(0, 'utf8'));
// parseAllDocuments returns an EmptyStream (not an array) for empty input.
const list = Array.isArray(docs) ? docs : [];
for (const doc of list) if (doc.errors.length) throw doc.errors[0];
process.stdout.write(list.map((doc) => String(doc)).join(''));
