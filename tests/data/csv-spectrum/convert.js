#!/usr/bin/env node
// convert.js - derive the expected records of the csv-spectrum cases from
// their JSON, for tests/unit/test_spectrum.c (which has no JSON parser).
//
//   node tests/data/csv-spectrum/convert.js
//
// Reads csvs/NAME.csv and json/NAME.json beside this script (vendored from
// the npm package csv-spectrum 2.0.0, see README.md) and writes:
//   expected/NAME.txt  one record per line, the CSV's header row first, then
//                      the JSON objects' values in the header's column
//                      order; fields separated by TAB and escaped as in
//                      PostgreSQL COPY text: \\ \b \f \n \r \t \v for
//                      backslash and those control characters, \ooo
//                      (3 octal digits) for any other byte below 0x20;
//                      UTF-8 otherwise
//   expected/INDEX     the case names, one per line
// The output is committed; CI has no node and uses it as it is.  Run this
// again only when the vendored files change, and review the diff.
//
// The header row is not in the JSON except as the objects' keys.  Their
// order is taken as the column order and checked against the CSV's first
// line (split on commas; the script stops if that line has a quote, which
// would need a real CSV parser).
//
// Upstream errata (package 2.0.0; each is checked, and the script stops if
// the JSON no longer has the value it corrects):
//   location_coordinates: the JSON is an object, not an array of objects
//     (upstream issue #22), and its "Contact Phone Number" is 1234567890
//     while the CSV says 2095257564 (upstream issue #20, PR #23).  The
//     expected record takes the CSV's number; the JSON is wrong, not the
//     parser.
'use strict';

const fs = require('fs');
const path = require('path');

const dir = __dirname;
const errata = {
	location_coordinates: {
		object: true,
		fix: [{ record: 0, key: 'Contact Phone Number', from: '1234567890', to: '2095257564' }],
	},
};

function die(msg) {
	process.stderr.write('convert.js: ' + msg + '\n');
	process.exit(1);
}

// PostgreSQL COPY text escaping of one field.
function esc(s) {
	const named = { '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
	return s.replace(/[\\\x00-\x1f]/g, (c) =>
		named[c] || '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'));
}

const names = fs.readdirSync(path.join(dir, 'csvs'))
	.filter((f) => f.endsWith('.csv'))
	.map((f) => f.slice(0, -4))
	.sort();
if (names.length === 0)
	die('no csvs/*.csv');
fs.mkdirSync(path.join(dir, 'expected'), { recursive: true });

for (const name of names) {
	const csv = fs.readFileSync(path.join(dir, 'csvs', name + '.csv'), 'utf8');
	let json = JSON.parse(fs.readFileSync(path.join(dir, 'json', name + '.json'), 'utf8'));
	const e = errata[name] || {};

	if (!Array.isArray(json)) {
		if (!e.object)
			die(name + ': the JSON is not an array');
		json = [json];
	} else if (e.object) {
		die(name + ': the JSON is an array now; drop the erratum');
	}
	for (const f of e.fix || []) {
		if (json[f.record][f.key] !== f.from)
			die(name + ': record ' + f.record + ' ' + f.key + ' is no longer ' + f.from +
			    '; review the erratum');
		json[f.record][f.key] = f.to;
	}

	const keys = Object.keys(json[0]);
	if (keys.some((k) => /^(0|[1-9][0-9]*)$/.test(k)))
		die(name + ': an integer-like key; JavaScript would reorder it');
	const first = csv.replace(/^\ufeff/, '').split(/\r\n|\n|\r/)[0];
	if (first.includes('"'))
		die(name + ': the header line has quotes; convert it by hand');
	if (first.split(',').join('\u0000') !== keys.join('\u0000'))
		die(name + ': the JSON keys ' + JSON.stringify(keys) + ' are not the header ' +
		    JSON.stringify(first));

	const rows = [keys];
	for (const obj of json) {
		const ok = Object.keys(obj);
		if (ok.join('\u0000') !== keys.join('\u0000'))
			die(name + ': an object with other keys: ' + JSON.stringify(ok));
		rows.push(keys.map((k) => {
			if (typeof obj[k] !== 'string')
				die(name + ': ' + k + ' is not a string');
			return obj[k];
		}));
	}
	fs.writeFileSync(path.join(dir, 'expected', name + '.txt'),
		rows.map((r) => r.map(esc).join('\t') + '\n').join(''));
}
fs.writeFileSync(path.join(dir, 'expected', 'INDEX'), names.join('\n') + '\n');
process.stdout.write('convert.js: ' + names.length + ' cases\n');
