/**
 * Preloaded (`node --require`) into the process `bench-synth.js` measures: on exit, writes the
 * process's peak resident memory and CPU time to the file named by PEAK_RSS_FILE.
 */
'use strict';
const fs = require('node:fs');

process.on('exit', () => {
  // maxRSS is in kilobytes, CPU times in microseconds.
  const usage = process.resourceUsage();
  fs.writeFileSync(
    process.env.PEAK_RSS_FILE,
    JSON.stringify({ maxRssKb: usage.maxRSS, cpuMicros: usage.userCPUTime + usage.systemCPUTime }),
  );
});
