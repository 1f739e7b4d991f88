/**
 * Preloaded (`node --require`) into the process `bench-synth.js` measures: on exit, writes the
 * process's peak resident memory to the file named by PEAK_RSS_FILE.
 */
'use strict';
const fs = require('node:fs');

process.on('exit', () => {
  // resourceUsage().maxRSS is in kilobytes.
  fs.writeFileSync(process.env.PEAK_RSS_FILE, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
});
