// Sums the results of `npm test` (scripts/test.sh) into the one closing line CI reads:
//   tests: N passed, N failed, N skipped[, <what was skipped on request>][; <step> failed]
// and exits non-zero when anything failed or when any test was skipped without being asked to.
//
// Usage: node scripts/test-summary.js [--requested-skip TEXT]... [--failed-step NAME]... RESULT.json...
//   RESULT.json        a `jest --json --outputFile` result; a missing or unreadable one is a failure
//   --requested-skip   a part of the suite skipped on request by a documented variable, e.g.
//                      "lab phase (5 suites) skipped by KUBEHA_SKIP_E2E=1": named in the line, not
//                      counted as a skipped test, and not a failure
//   --failed-step      a step outside jest that failed (e.g. lint): named in the line, a failure
//
// "N skipped" counts only tests nobody asked to skip: describe.skip, test.skip, test.todo, or
// tests left out by a test.only. Any of them fails the run, and each is listed above the closing
// line by file and full name.
const fs = require("fs");
const path = require("path");

const requested = [];
const failedSteps = [];
const files = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--requested-skip") requested.push(args[++i]);
  else if (args[i] === "--failed-step") failedSteps.push(args[++i]);
  else files.push(args[i]);
}

const repo = path.join(__dirname, "..");
let passed = 0;
let failed = 0;
const skipped = [];
const problems = [];
for (const file of files) {
  let result;
  try {
    result = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    problems.push(`${file}: no jest results (${error.message.split("\n")[0]}): jest did not finish`);
    failed += 1;
    continue;
  }
  passed += result.numPassedTests;
  failed += result.numFailedTests + result.numRuntimeErrorTestSuites;
  for (const suite of result.testResults) {
    for (const test of suite.assertionResults) {
      if (test.status !== "passed" && test.status !== "failed") skipped.push(`${path.relative(repo, suite.name)} › ${test.fullName} (${test.status})`);
    }
  }
  if (result.wasInterrupted) problems.push(`${file}: jest was interrupted`);
}

for (const problem of problems) console.log(`[kubeha] ${problem}`);
if (skipped.length > 0) {
  console.log(`[kubeha] ${skipped.length} test(s) skipped, and nothing asked for that (only KUBEHA_SKIP_E2E=1 may skip, and only the lab phase): this fails the run`);
  for (const name of skipped) console.log(`  skipped: ${name}`);
}

let line = `tests: ${passed} passed, ${failed} failed, ${skipped.length} skipped`;
if (requested.length > 0) line += `, ${requested.join(", ")}`;
if (failedSteps.length > 0) line += `; ${failedSteps.map((s) => `${s} failed`).join(", ")}`;
console.log(line);
process.exitCode = failed > 0 || skipped.length > 0 || failedSteps.length > 0 || problems.length > 0 || files.length === 0 ? 1 : 0;
