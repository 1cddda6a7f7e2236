// Renounce: the dapp ends its own session with its key; anyone relays it, and the chain then
// refuses the key. The wallet's worst case for the session is shown first.
import { encodeFunctionData, parseUnits } from 'viem'
import { createDevnet, setupDemoAccount, testTokenAbi } from '../src/devnet/index.js'
import {
  defineSession,
  generateSessionKey,
  getGrantSessionCalls,
  getRenounceSessionCalls,
  getSessionExposure,
  getSessionStatus,
  SessionRevokedError,
  signSessionRenouncement,
  toSessionKeyAccount,
} from '../src/index.js'

const devnet = await createDevnet()
const { ownerAccount, account, token, recipient } = await setupDemoAccount(devnet)
const key = generateSessionKey()
const session = defineSession({
  account,
  chainId: devnet.chain.id,
  sessionKey: key.address,
  permissions: [
    { whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: parseUnits('50', 18) },
  ],
  validity: { endTimestamp: (await devnet.now()) + 3600 },
})
const exposure = getSessionExposure({ session })
console.log(
  `worst case: ${exposure.tokens.map((t) => `${t.max} base units of ${t.token}`).join(', ')}; gas ${exposure.gas.max} wei; bounded: ${exposure.bounded}`,
)
await devnet.submitter.sendUserOperation({
  account: ownerAccount,
  calls: await getGrantSessionCalls(devnet.client, { session }),
})
const dapp = await toSessionKeyAccount({ client: devnet.client, session, sessionKey: key.privateKey })
const pay = {
  to: token,
  data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [recipient, parseUnits('1', 18)] }),
}
await devnet.submitter.sendUserOperation({ account: dapp, calls: [pay] })
console.log('✓ the dapp paid 1 TUSD with its session')

// The dapp is done: its key signs the renouncement, and any account relays it (here the devnet's).
const signature = await signSessionRenouncement({ session, sessionKey: key.privateKey })
const [call] = getRenounceSessionCalls({ session, signature })
await devnet.client.waitForTransactionReceipt({ hash: await devnet.client.sendTransaction(call) })
const { status } = await getSessionStatus(devnet.client, { session })
console.log(`✓ renounced: the session is ${status}`)
let refused = false
try {
  await devnet.submitter.sendUserOperation({ account: dapp, calls: [pay] })
} catch (error) {
  if (!(error instanceof SessionRevokedError)) throw error
  refused = true
  console.log(`✓ refused afterwards: ${error.shortMessage}`)
}
process.exit(refused && status === 'revoked' && exposure.bounded ? 0 : 1)
