// ERC-7715: a dapp's wallet_grantPermissions request becomes a session, and back.
import { numberToHex, parseUnits } from 'viem'
import { createDevnet, setupDemoAccount } from '../src/devnet/index.js'
import {
  describeSession,
  type Erc7715Request,
  fromErc7715Request,
  generateSessionKey,
  getGrantSessionCalls,
  toErc7715Request,
} from '../src/index.js'

const devnet = await createDevnet()
const { ownerAccount, account, token } = await setupDemoAccount(devnet)
const key = generateSessionKey()
const request: Erc7715Request = {
  chainId: numberToHex(devnet.chain.id),
  address: account,
  expiry: (await devnet.now()) + 3600,
  signer: { type: 'account', data: { id: key.address } },
  permissions: [
    {
      type: 'erc20-token-transfer',
      data: { address: token, ticker: 'TUSD' },
      policies: [{ type: 'token-allowance', data: { allowance: parseUnits('250', 18) } }],
      required: true,
    },
  ],
}
const { session, ignored } = fromErc7715Request(request)
console.log((await describeSession(devnet.client, { session: session })).text)
await devnet.submitter.sendUserOperation({
  account: ownerAccount,
  calls: await getGrantSessionCalls(devnet.client, { session }),
})
const back = toErc7715Request(session)
const ok = ignored.length === 0 && back.permissions[0].type === 'erc20-token-transfer'
console.log(`${ok ? '✓' : '✗'} the request became a granted session, and converts back to ${back.permissions[0].type}`)
process.exit(ok ? 0 : 1)
