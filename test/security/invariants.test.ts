/**
 * Invariants over random sequences of operations, time jumps, revocations and re-grants,
 * all sent to the chain for real: the total spent never exceeds a limit, no call outside a
 * permission ever executes, and nothing happens outside the window or after a revocation.
 */
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import fc from 'fast-check'
import { encodeFunctionData } from 'viem'
import { testTokenAbi } from '../../src/devnet/index.js'
import { getRevokeSessionCalls, getSessionStatus } from '../../src/index.js'
import { createFixture, type Fixture, tusd } from '../helpers/fixture.js'

let f: Fixture
before(async () => {
  f = await createFixture()
})

type Step =
  | { kind: 'transfer'; amounts: bigint[] }
  | { kind: 'forbidden'; what: 'otherToken' | 'approve' }
  | { kind: 'time'; seconds: number }
  | { kind: 'revoke' }
  | { kind: 'regrant' }

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('transfer' as const),
      amounts: fc.array(fc.bigInt({ min: 0n, max: 400n }), { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('forbidden' as const),
      what: fc.constantFrom('otherToken' as const, 'approve' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('time' as const), seconds: fc.integer({ min: 60, max: 2400 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'revoke' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'regrant' as const }) },
)

const runs = Math.max(10, Math.floor(Number(process.env.FUZZ_RUNS ?? 1000) / 10))

describe('invariants over random sequences (sent to the chain)', () => {
  it(`hold over ${runs} random sequences`, { timeout: 3_600_000 }, async () => {
    let steps = 0
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (sequence) => {
        await f.reset()
        const limit = tusd(1000)
        let current = await f.grant({ end: (await f.devnet.now()) + 3600 })
        const sessions = [current]
        let expectedToRecipient = 0n
        const otherBefore = await f.balanceOf(f.recipient, f.otherToken)
        for (const s of sequence) {
          steps++
          const { status } = await getSessionStatus(f.client, { session: current.session })
          const spentBefore = await f.spent(current.session)
          if (s.kind === 'transfer') {
            const total = s.amounts.reduce((a, b) => a + b, 0n) * 10n ** 18n
            const mayPass = status === 'active' && spentBefore + total <= limit
            try {
              await f.send(
                current.dapp,
                s.amounts.map((a) => f.transfer(a * 10n ** 18n)),
              )
              assert.ok(mayPass, `a transfer of ${total} went through with status ${status} and ${spentBefore} spent`)
              expectedToRecipient += total
            } catch (error) {
              assert.ok(!mayPass, `a permitted transfer was refused: ${(error as Error).message.split('\n')[0]}`)
            }
          } else if (s.kind === 'forbidden') {
            const call =
              s.what === 'otherToken'
                ? f.transfer(1n, f.recipient, f.otherToken)
                : {
                    to: f.token,
                    data: encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [f.recipient, 1n] }),
                  }
            await assert.rejects(f.send(current.dapp, [call]))
          } else if (s.kind === 'time') {
            await f.devnet.increaseTime(s.seconds)
          } else if (s.kind === 'revoke') {
            await f.send(f.ownerAccount, getRevokeSessionCalls({ session: current.session }))
          } else {
            current = await f.grant({ end: (await f.devnet.now()) + 3600 })
            sessions.push(current)
          }
          for (const { session } of sessions) assert.ok((await f.spent(session)) <= limit, 'spent ≤ limit')
          assert.equal(await f.balanceOf(f.recipient), expectedToRecipient, 'only permitted transfers executed')
          assert.equal(await f.balanceOf(f.recipient, f.otherToken), otherBefore, 'nothing moved on a forbidden token')
        }
      }),
      { numRuns: runs, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
    )
    console.log(`invariants: ${runs} sequences, ${steps} steps, all held`)
  })
})
