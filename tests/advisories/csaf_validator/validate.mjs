// Validates CSAF 2.0 files with @secvisogram/csaf-validator-lib (the 'basic' preset: strict schema and mandatory tests).
// Usage: node validate.mjs file.json...; prints one JSON line per file; exit 1 if any invalid.
import { readFileSync } from 'node:fs'
import validateStrict from '@secvisogram/csaf-validator-lib/validateStrict.js'
import * as basic from '@secvisogram/csaf-validator-lib/basic.js'

let failed = false
for (const path of process.argv.slice(2)) {
  const doc = JSON.parse(readFileSync(path, 'utf8'))
  const tests = Object.values(basic)
  const result = await validateStrict(tests, doc)
  const errors = result.tests.flatMap((t) => t.errors.map((e) => ({ test: t.name, ...e })))
  if (!result.isValid) failed = true
  console.log(JSON.stringify({ path, isValid: result.isValid, errors }))
}
process.exit(failed ? 1 : 0)
