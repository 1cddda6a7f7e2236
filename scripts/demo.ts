/**
 * The seed flow of the original session-key docs, end to end, on the embedded chain:
 * an owner grants a dapp a session key once; the dapp then sends transfers on its own,
 * and everything outside the session is refused on chain. Exits non-zero if any step
 * does not turn out as described.
 */

import { parseArgs } from 'node:util'
import { type Address, encodeFunctionData, formatUnits, parseUnits } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import {
  connectDevnet,
  createDevnet,
  type Devnet,
  deployTestToken,
  mintTestToken,
  testTokenAbi,
} from '../src/devnet/index.js'
import {
  CallNotPermittedError,
  defineSession,
  generateSessionKey,
  getGrantSessionCalls,
  getRevokeSessionCalls,
  getSetSessionEnabledCalls,
  getSpendingLimits,
  SessionDisabledError,
  SessionExpiredError,
  SessionRevokedError,
  SpendingLimitExceededError,
  toOwnerAccount,
  toSessionKeyAccount,
  type UserOperationOutcome,
  type UserOperationSubmitter,
} from '../src/index.js'

let failures = 0
const say = (text: string) => console.log(text)
const gas = (o: UserOperationOutcome) => `${o.transactionGasUsed.toLocaleString('en-US')} gas`

/**
 * Each refusal twice: the SDK's pre-flight check predicts it before anything is sent, then
 * the same operation is forced to the chain (pre-flight off) to show the chain refuses it.
 */
async function expectRejected(
  what: string,
  expected: abstract new (...args: never[]) => Error,
  send: (submitter: UserOperationSubmitter) => Promise<unknown>,
  devnet: Devnet,
): Promise<void> {
  const outcome = async (submitter: UserOperationSubmitter) => {
    try {
      await send(submitter)
      return 'not rejected'
    } catch (error) {
      return error instanceof expected ? error : `rejected with ${(error as Error).message.split('\n')[0]}`
    }
  }
  const predicted = await outcome(devnet.submitter)
  const onChain = await outcome(devnet.submitterWithoutPreflight)
  if (typeof predicted === 'string' || typeof onChain === 'string') {
    failures++
    say(`  ✗ ${what}: expected ${expected.name}; pre-flight: ${String(predicted)}; chain: ${String(onChain)}`)
    return
  }
  const text = (e: Error) => (e as { shortMessage?: string }).shortMessage ?? e.message
  say(
    `  ✓ ${what}\n      SDK pre-flight (nothing sent): ${text(predicted)}\n      chain (sent anyway):          ${text(onChain)}`,
  )
}

async function main(): Promise<void> {
  // Embedded chain by default; --rpc and --bundler run the same flow against a running
  // development node and bundler (e.g. npm run devnet), submitting through the bundler.
  const { values } = parseArgs({ options: { rpc: { type: 'string' }, bundler: { type: 'string' } } })
  if (Boolean(values.rpc) !== Boolean(values.bundler)) {
    throw new Error('Give both --rpc <url> and --bundler <url>, or neither (embedded chain).')
  }
  const external = values.rpc && values.bundler ? { rpcUrl: values.rpc, bundlerUrl: values.bundler } : undefined
  say(
    external
      ? `Session keys: the seed flow through the bundler at ${external.bundlerUrl} (node ${external.rpcUrl})\n`
      : 'Session keys: the seed flow on an embedded chain (Hardhat EDR, EntryPoint v0.7)\n',
  )
  const devnet = external ? await connectDevnet(external) : await createDevnet()
  const { client } = devnet
  const tusd = (n: string) => parseUnits(n, 18)
  const show = (n: bigint) => `${formatUnits(n, 18)} TUSD`

  // 1. The owner's smart account (created by its first operation) and a test token.
  const owner = privateKeyToAccount(generatePrivateKey()) // a throwaway demo key
  const ownerAccount = await toOwnerAccount({ client, owner })
  const account = ownerAccount.address
  await devnet.fund(account, parseUnits('1', 18))
  const token = await deployTestToken(client, { name: 'Test USD', symbol: 'TUSD' })
  const otherToken = await deployTestToken(client, { name: 'Other', symbol: 'OTH' })
  for (const t of [token, otherToken]) {
    await mintTestToken(client, { token: t, to: account, amount: tusd('10000') })
  }
  const recipient: Address = privateKeyToAccount(generatePrivateKey()).address
  say(`1. Smart account ${account} (owner ${owner.address}) holds ${show(tusd('10000'))} (token ${token}).`)

  // 2. The dapp generates a session key pair.
  const sessionKey = generateSessionKey()
  say(`2. The dapp generated session key ${sessionKey.address}.`)

  // 3. It asks for a session: transfer on the token, at most 1,000 TUSD in total, one hour.
  const now = await devnet.now()
  const ask = (enable: boolean) =>
    defineSession({
      account,
      chainId: devnet.chain.id,
      sessionKey: sessionKey.address,
      permissions: [
        { whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: tusd('1000') },
      ],
      validity: { endTimestamp: now + 3600, enable },
      now,
    })
  const session = ask(true)
  say(
    `3. It asks for session ${session.id.slice(0, 10)}…: transfer(address,uint256) on TUSD, at most 1,000 TUSD, for one hour.`,
  )

  // 4. The owner approves once: one user operation deploys the account, installs the module, creates the session.
  const grant = await devnet.submitter.sendUserOperation({
    account: ownerAccount,
    calls: await getGrantSessionCalls(client, { session }),
  })
  say(
    `4. The owner approved with one user operation (deploy account + install module + create session): ${gas(grant)}.`,
  )

  // 5. The dapp sends transfers signed only by the session key.
  const dapp = await toSessionKeyAccount({ client, session, sessionKey: sessionKey.privateKey })
  const transfer = (amount: string, to: Address = token) => ({
    to,
    data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [recipient, tusd(amount)] }),
  })
  say('5. The dapp sends transfers signed only by the session key:')
  for (const amount of ['300', '300', '300']) {
    const outcome = await devnet.submitter.sendUserOperation({ account: dapp, calls: [transfer(amount)] })
    say(`  ✓ transfer of ${amount} TUSD: ${gas(outcome)}`)
  }
  const [limit] = await getSpendingLimits(client, { session })
  say(`  spent ${show(limit.spent)} of ${show(limit.limit)}; recipient holds ${show(await balanceOf(recipient))}.`)
  if (limit.spent !== tusd('900')) failures++

  // 6. Everything outside the session is rejected on chain.
  say('6. Outside the session, everything is refused — predicted by the SDK, enforced by the chain:')
  await expectRejected(
    'a transfer of 200 TUSD (would total 1,100)',
    SpendingLimitExceededError,
    (submitter) => submitter.sendUserOperation({ account: dapp, calls: [transfer('200')] }),
    devnet,
  )
  await expectRejected(
    'approve on the same token (method not allowed)',
    CallNotPermittedError,
    (submitter) =>
      submitter.sendUserOperation({
        account: dapp,
        calls: [
          {
            to: token,
            data: encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [recipient, 1n] }),
          },
        ],
      }),
    devnet,
  )
  await expectRejected(
    'a transfer on another token (destination not allowed)',
    CallNotPermittedError,
    (submitter) => submitter.sendUserOperation({ account: dapp, calls: [transfer('1', otherToken)] }),
    devnet,
  )

  // A second session, created with enable: false, is unusable until the owner enables it.
  const disabled = { ...ask(false) }
  const laterKey = generateSessionKey()
  const second = defineSession({
    account,
    chainId: devnet.chain.id,
    sessionKey: laterKey.address,
    permissions: disabled.permissions,
    validity: { endTimestamp: now + 3600, enable: false },
    now,
  })
  await devnet.submitter.sendUserOperation({
    account: ownerAccount,
    calls: await getGrantSessionCalls(client, { session: second }),
  })
  const secondDapp = await toSessionKeyAccount({ client, session: second, sessionKey: laterKey.privateKey })
  await expectRejected(
    'a transfer with a session created with enable: false',
    SessionDisabledError,
    (submitter) => submitter.sendUserOperation({ account: secondDapp, calls: [transfer('1')] }),
    devnet,
  )

  // The owner revokes the first session: it is refused at once.
  await devnet.submitter.sendUserOperation({ account: ownerAccount, calls: getRevokeSessionCalls({ session }) })
  await expectRejected(
    'a transfer after the owner revoked the session',
    SessionRevokedError,
    (submitter) => submitter.sendUserOperation({ account: dapp, calls: [transfer('1')] }),
    devnet,
  )

  // The owner enables the second session; it works until its end, then the EntryPoint refuses it.
  await devnet.submitter.sendUserOperation({
    account: ownerAccount,
    calls: getSetSessionEnabledCalls({ session: second, enabled: true }),
  })
  const ok = await devnet.submitter.sendUserOperation({ account: secondDapp, calls: [transfer('1')] })
  say(`  ✓ (the second session, once enabled, transfers 1 TUSD: ${gas(ok)})`)
  await devnet.increaseTime(2 * 3600)
  await expectRejected(
    'a transfer after the end time (clock moved 2 hours)',
    SessionExpiredError,
    (submitter) => submitter.sendUserOperation({ account: secondDapp, calls: [transfer('1')] }),
    devnet,
  )

  const received = await balanceOf(recipient)
  if (received !== tusd('901')) {
    failures++
    say(`  ✗ the recipient should hold 901 TUSD, and holds ${show(received)}`)
  }
  say(`\nRecipient holds ${show(received)}: exactly the transfers the sessions allowed.`)
  if (failures > 0) {
    say(`\n${failures} step(s) did not turn out as described.`)
    process.exit(1)
  }
  say('Every step turned out as described.')
  process.exit(0)

  async function balanceOf(who: Address): Promise<bigint> {
    return client.readContract({ address: token, abi: testTokenAbi, functionName: 'balanceOf', args: [who] })
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
