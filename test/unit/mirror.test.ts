/** src/policy/ mirrors contracts/session/ file for file: the constants agree with the Solidity. */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import * as flags from '../../src/policy/policyFlags.js'

const sol = readFileSync(new URL('../../contracts/session/lib/PolicyFlags.sol', import.meta.url), 'utf8')
/** `NAME = 1 << 3;` or `NAME = 8;` in the library, by name. */
const solidity = new Map(
  [...sol.matchAll(/constant (\w+) = ([^;]+);/g)].map(([, name, expression]) => {
    const shift = /^(\d+) << (\d+)$/.exec(expression.trim())
    return [name, shift ? Number(shift[1]) << Number(shift[2]) : Number(expression)]
  }),
)

describe('the policy mirror', () => {
  it('has the PolicyFlags.sol value for every constant it shares a name with', () => {
    const shared = Object.entries(flags).filter(([name]) => solidity.has(name))
    assert.ok(shared.length >= 7, 'the mirror shares the permission, session and limit constants')
    for (const [name, value] of shared) assert.equal(value, solidity.get(name), name)
  })

  it('numbers the rule conditions as the module does', () => {
    const names = ['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'ONE_OF', 'SUM_LTE']
    assert.deepEqual(
      flags.ruleConditions.map((_, i) => names[i]),
      names
        .filter((n) => solidity.get(n) !== undefined)
        .sort((a, b) => Number(solidity.get(a)) - Number(solidity.get(b))),
    )
  })

  it('has a file for each Solidity library, named alike', () => {
    const libraries = readdirSync(new URL('../../contracts/session/lib/', import.meta.url)).map((f) =>
      f.replace(/\.sol$/, ''),
    )
    const mirror = new Set(
      readdirSync(new URL('../../src/policy/', import.meta.url)).map((f) => f.replace(/\.ts$/, '')),
    )
    const missing = libraries.filter((l) => !mirror.has(l[0].toLowerCase() + l.slice(1)))
    assert.deepEqual(missing, ['GrantHashLib'], 'only the grant hashing lives elsewhere (src/session/grant.ts)')
  })
})
