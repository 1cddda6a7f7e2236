// An off-chain grant: the owner signs once (no transaction); the dapp's first operation creates the session.
import { encodeFunctionData, parseUnits } from 'viem'
import { createDevnet, setupDemoAccount, testTokenAbi } from '../src/devnet/index.js'
import {
  defineSession,
  generateSessionKey,
  getSessionStatus,
  signSessionGrant,
  toSessionKeyAccount,
  verifySessionGrant,
} from '../src/index.js'

const devnet = await createDevnet()
const { owner, account, token, recipient } = await setupDemoAccount(devnet)
const key = generateSessionKey()
const session = defineSession({
  account,
  chainId: devnet.chain.id,
  sessionKey: key.address,
  permissions: [
    {
      whitelistDestination: token,
      whitelistMethods: ['transfer(address,uint256)'],
      tokenAmount: parseUnits('100', 18),
    },
  ],
  validity: { endTimestamp: (await devnet.now()) + 3600 },
})
const grant = await signSessionGrant(devnet.client, { session, owner })
await verifySessionGrant(devnet.client, { session, grant })
console.log(
  `✓ the owner signed the grant off-chain; on chain the session is: ${(await getSessionStatus(devnet.client, { session })).status}`,
)

const dapp = await toSessionKeyAccount({ client: devnet.client, session, sessionKey: key.privateKey, grant })
const transfer = {
  to: token,
  data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [recipient, parseUnits('10', 18)] }),
}
const first = await devnet.submitter.sendUserOperation({ account: dapp, calls: [transfer] })
const second = await devnet.submitter.sendUserOperation({ account: dapp, calls: [transfer] })
const { status } = await getSessionStatus(devnet.client, { session })
console.log(
  `✓ first use created the session (${first.transactionGasUsed} gas); second use: ${second.transactionGasUsed} gas; status: ${status}`,
)
process.exit(status === 'active' ? 0 : 1)
