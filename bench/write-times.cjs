// Preloaded (node --require) into `mfa-tray refresh` by bench/run.mjs, row 3 in a refresh: keeps the
// time of each credentials-file write the command makes (credentials-file.ts publishes it on a
// diagnostics channel) and, as the process exits, appends them as one JSON line to the file
// MFA_TRAY_BENCH_WRITE_TIMES names.
const { subscribe } = require('node:diagnostics_channel');
const { appendFileSync } = require('node:fs');

const times = [];
subscribe('mfa-tray:credentials-write', (message) => times.push(message.ms));
process.on('exit', () => appendFileSync(process.env.MFA_TRAY_BENCH_WRITE_TIMES, `${JSON.stringify(times)}\n`));
