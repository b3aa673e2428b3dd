// caloohpay on saved PagerDuty schedule files: what its CLI does per
// schedule (CalOohPay.js, calOohPay), with the API call replaced by reading
// the saved GET /schedules/{id} response. Used by benchmarks/peer.py.
//
//   node peer_caloohpay.mjs PACKAGE_DIR OUT.csv SCHEDULE.json...
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const [packageDir, outCsv, ...files] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const core = require(join(packageDir, "dist/src/core.js"));
const node = require(join(packageDir, "dist/src/node.js"));

const rates = core.DEFAULT_RATES;
const writer = new node.CsvWriter(outCsv);
let first = true;
let total = 0;
for (const file of files) {
  const data = JSON.parse(readFileSync(file, "utf8"));
  if (!data.schedule) throw new Error(`${file}: no 'schedule' property`);
  const schedule = data.schedule;
  const zone = schedule.time_zone;
  const users = node.extractOnCallUsersFromFinalSchedule(schedule.final_schedule, zone);
  const calculator = new core.OnCallPaymentsCalculator(rates.weekdayRate, rates.weekendRate);
  const records = calculator.getAuditableOnCallPaymentRecords(Object.values(users));
  for (const record of Object.values(records)) total += record.totalCompensation;
  writer.writeScheduleData(schedule.name, schedule.html_url, zone, records, !first);
  first = false;
}
console.log(`caloohpay: ${files.length} schedules, total ${total}`);
