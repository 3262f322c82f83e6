#!/usr/bin/env node
// Converts the US table of the npm package "zipcodes" (BSD licence, Dav
// Glass; data from federalgovernmentzipcodes.us and GeoNames) into the
// compact table verdant embeds: "zip,city,state" lines, sorted, gzipped.
//
//   npm pack zipcodes@8.0.0 && tar xzf zipcodes-8.0.0.tgz
//   node convert-zipcodes.js package/lib/codes.js | gzip -9n > zips.csv.gz
const path = require('path');
const codes = require(path.resolve(process.argv[2])).codes;
const out = [];
for (const [zip, v] of Object.entries(codes)) {
  if (v.country !== 'US' || !/^\d{5}$/.test(zip) || !v.city || !/^[A-Z]{2}$/.test(v.state)) continue;
  const city = v.city.toUpperCase().replace(/[^A-Z0-9 ]/g, ' ').replace(/\s+/g, ' ').trim();
  out.push(`${zip},${city},${v.state}`);
}
out.sort();
process.stdout.write(out.join('\n') + '\n');
