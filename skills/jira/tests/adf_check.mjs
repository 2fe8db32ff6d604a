// Validate ADF documents against Atlassian's schema: one JSON document per
// line on stdin. Prints "ok N" or the first failure; exits 1 on failure.
//   node adf_check.mjs NODE_MODULES < docs.jsonl
import readline from "node:readline";
import { adfValidator } from "./adf_schema.mjs";

const validate = adfValidator(process.argv[2]);
let n = 0, bad = 0;
const rl = readline.createInterface({ input: process.stdin });
for await (const line of rl) {
  if (!line.trim()) continue;
  n++;
  const why = validate(JSON.parse(line));
  if (why) {
    bad++;
    console.log(`invalid ADF #${n}: ${why}\n  ${line.slice(0, 2000)}`);
  }
}
console.log(bad ? `FAIL ${bad} of ${n}` : `ok ${n}`);
process.exit(bad ? 1 : 0);
