// describeSession: the session in plain words, for the owner's approval screen.
import { parseEther, parseUnits } from 'viem'
import { createDevnet, setupDemoAccount } from '../src/devnet/index.js'
import { defineSession, describeSession, generateSessionKey } from '../src/index.js'

const devnet = await createDevnet()
const { account, token, recipient } = await setupDemoAccount(devnet)
const now = await devnet.now()
const session = defineSession({
  account,
  chainId: devnet.chain.id,
  sessionKey: generateSessionKey().address,
  permissions: [
    {
      whitelistDestination: token,
      whitelistMethods: ['transfer(address,uint256)'],
      tokenAmount: parseUnits('1000', 18),
      rules: [{ method: 'transfer(address to, uint256 amount)', arg: 'to', condition: 'eq', value: recipient }],
    },
    {
      whitelistDestination: recipient,
      whitelistMethods: [],
      allowEmptyCalldata: true,
      valueLimit: { total: parseEther('0.5') },
    },
  ],
  validity: { startTimestamp: now, endTimestamp: now + 3600 },
  now,
})
const { text } = await describeSession(devnet.client, { session: session })
console.log(text)
process.exit(text.includes('at most 1,000 TUSD in total') ? 0 : 1)
