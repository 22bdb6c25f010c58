// A node:test reporter that prints one plain closing line: "tests: N passed, N failed, N skipped".
// Suites (describe blocks) are not counted: only the tests inside them.
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const d = event.data;
    if (d.details?.type === 'suite') {
      // A suite that fails outside its tests (a hook, a thrown error at load) counts as one failure.
      if (event.type === 'test:fail' && d.details?.error?.failureType !== 'subtestsFailed') {
        failed++;
        failures.push(`${d.file ?? ''} ${d.name}`);
      }
      continue;
    }
    if (d.skip || d.todo) skipped++;
    else if (event.type === 'test:pass') passed++;
    else {
      failed++;
      failures.push(`${d.file ?? ''} › ${d.name}`);
    }
  }
  if (failures.length) yield `\nFailed tests:\n${failures.map((f) => `  ✖ ${f}`).join('\n')}\n`;
  yield `\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}
