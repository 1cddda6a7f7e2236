// Revoke all: one owner call ends every session of the account at once.
import { encodeFunctionData, parseUnits } from 'viem'
import { createDevnet, setupDemoAccount, testTokenAbi } from '../src/devnet/index.js'
import {
  defineSession,
  generateSessionKey,
  getGrantSessionCalls,
  getRevokeAllSessionsCalls,
  getSessionStatus,
  SessionRevokedError,
  toSessionKeyAccount,
} from '../src/index.js'

const devnet = await createDevnet()
const { ownerAccount, account, token, recipient } = await setupDemoAccount(devnet)
const transfer = {
  to: token,
  data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [recipient, 1n] }),
}
const dapps = []
for (let i = 0; i < 3; i++) {
  const key = generateSessionKey()
  const session = defineSession({
    account,
    chainId: devnet.chain.id,
    sessionKey: key.address,
    permissions: [
      {
        whitelistDestination: token,
        whitelistMethods: ['transfer(address,uint256)'],
        tokenAmount: parseUnits('1', 18),
      },
    ],
    validity: { endTimestamp: (await devnet.now()) + 3600 },
  })
  await devnet.submitter.sendUserOperation({
    account: ownerAccount,
    calls: await getGrantSessionCalls(devnet.client, { session }),
  })
  dapps.push({
    session,
    dapp: await toSessionKeyAccount({ client: devnet.client, session, sessionKey: key.privateKey }),
  })
}
console.log('✓ three sessions granted')
await devnet.submitter.sendUserOperation({ account: ownerAccount, calls: getRevokeAllSessionsCalls() })
let refused = 0
for (const { session, dapp } of dapps) {
  try {
    await devnet.submitter.sendUserOperation({ account: dapp, calls: [transfer] })
  } catch (error) {
    if (error instanceof SessionRevokedError) refused++
    else throw error
  }
  console.log(`  session ${session.id.slice(0, 10)}…: ${(await getSessionStatus(devnet.client, { session })).status}`)
}
console.log(`✓ revoke-all: ${refused} of 3 sessions refused`)
process.exit(refused === 3 ? 0 : 1)
