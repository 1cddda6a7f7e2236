/**
 * The module and the SDK's pre-flight check, on random sessions and operations: any
 * disagreement fails and prints the seed and the shrunk case (fast-check).
 * FUZZ_RUNS sets the number of cases (1,000 by default; npm run fuzz -- --runs N).
 */
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { caseArbitrary, fc, reachesAnyDestination, runCase } from '../helpers/differential.js'
import { createFixture, type Fixture } from '../helpers/fixture.js'

let f: Fixture
before(async () => {
  f = await createFixture()
})

const runs = Number(process.env.FUZZ_RUNS ?? 1000)

describe('differential: module vs pre-flight check', () => {
  it(`agree on ${runs} random sessions and operations (rule and call index)`, { timeout: 3_600_000 }, async () => {
    const verdicts = new Map<string, number>()
    const viaAny = new Map<string, number>()
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (c) => {
        const { chain, sdk, detail } = await runCase(f, c)
        verdicts.set(chain, (verdicts.get(chain) ?? 0) + 1)
        if (reachesAnyDestination(c)) viaAny.set(chain, (viaAny.get(chain) ?? 0) + 1)
        assert.equal(sdk, chain, `pre-flight said ${sdk}, the chain said ${chain}; ${detail}`)
      }),
      { numRuns: runs, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined, verbose: 1 },
    )
    const summary = [...verdicts.entries()].sort((a, b) => b[1] - a[1])
    console.log(
      `differential: ${runs} cases, 0 disagreements; verdicts: ${summary.map(([k, n]) => `${k} ${n}`).join(', ')}`,
    )
    // The generator must reach both sides: accepted operations and many kinds of refusal.
    assert.ok((verdicts.get('ok') ?? 0) > runs / 50, 'enough accepted operations')
    assert.ok(summary.length >= Math.min(8, runs / 20), 'enough kinds of verdict')
    // And the any-destination permission, accepting and refusing (checked on the full run:
    // a few hundred cases hold too few of them to require a share).
    console.log(
      `differential: through the any-destination permission: ${[...viaAny].map(([k, n]) => `${k} ${n}`).join(', ')}`,
    )
    if (runs >= 1000) {
      assert.ok(
        (viaAny.get('ok') ?? 0) > runs / 200,
        'enough operations accepted through the any-destination permission',
      )
      assert.ok(viaAny.size >= 5, 'enough kinds of verdict through the any-destination permission')
    }
  })
})
