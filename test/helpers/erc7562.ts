/**
 * With ERC7562_TRACE=1, every session-key operation the integration and security suites
 * send is first replayed with the node's tracer and checked against ERC-7562
 * (src/devnet/erc7562.ts); the first violation fails the test, naming opcode or slot and
 * contract. Counts go to the file named by ERC7562_REPORT (scripts/erc7562.ts sums them).
 */
import { appendFileSync } from 'node:fs'
import type { Address, Client } from 'viem'
import type { UserOperation } from 'viem/account-abstraction'
import { checkErc7562 } from '../../src/devnet/index.js'
import { sessionKeyValidatorAddress } from '../../src/index.js'

export const tracing = process.env.ERC7562_TRACE === '1'
let traced = 0
let steps = 0

export async function traceValidation(client: Client, from: Address, userOperation: UserOperation<'0.7'>) {
  if (!tracing) return
  const validator = `0x${(userOperation.nonce >> 64n).toString(16).padStart(48, '0').slice(0, 40)}`
  if (validator.toLowerCase() !== sessionKeyValidatorAddress.toLowerCase()) return
  const report = await checkErc7562(client, { userOperation, from })
  traced++
  steps += report.steps
  if (report.violations.length > 0) {
    const v = report.violations[0]
    throw new Error(
      `ERC-7562 violation in validation (${v.code}): ${v.rule === 'storage' ? `${v.opcode} of slot ${v.slot}` : `opcode ${v.opcode}${v.target ? ` on ${v.target}` : ''}`} in ${v.contract} (pc ${v.pc}); ${report.violations.length} in all`,
    )
  }
}

if (tracing) {
  process.on('exit', () => {
    const line = JSON.stringify({ file: process.argv[1], traced, steps })
    if (process.env.ERC7562_REPORT) appendFileSync(process.env.ERC7562_REPORT, `${line}\n`)
    console.log(`ERC-7562: ${traced} session-key validations traced (${steps} steps), no violation`)
  })
}
