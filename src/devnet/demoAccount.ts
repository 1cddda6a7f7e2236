import { type Address, encodeFunctionData, type LocalAccount, parseEther, parseUnits } from 'viem'
import type { SmartAccount } from 'viem/account-abstraction'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { toOwnerAccount } from '../account/toOwnerAccount.js'
import { accountCallsAbi } from '../generated/accountCallsAbi.js'
import type { Devnet } from './createDevnet.js'
import { deployTestToken, mintTestToken } from './testContracts.js'

/** A ready account on the devnet, for examples and tests. */
export type DemoAccount = {
  /** The owner's throwaway key (a devnet-only key, never printed). */
  owner: LocalAccount
  ownerAccount: SmartAccount
  account: Address
  /** A test token the account holds 10,000 of (18 decimals). */
  token: Address
  /** A fresh address that holds nothing. */
  recipient: Address
}

/**
 * Deploys a {@link SessionAccount} for a fresh throwaway owner, funds it, installs the
 * session-key module, and gives it 10,000 of a new test token.
 *
 * @example
 * import { createDevnet, setupDemoAccount } from 'session-keys/devnet'
 * const { ownerAccount, token } = await setupDemoAccount(await createDevnet())
 */
export async function setupDemoAccount(devnet: Devnet): Promise<DemoAccount> {
  const owner = privateKeyToAccount(generatePrivateKey())
  const ownerAccount = await toOwnerAccount({ client: devnet.client, owner })
  const account = ownerAccount.address
  await devnet.fund(account, parseEther('10'))
  const token = await deployTestToken(devnet.client, { name: 'Test USD', symbol: 'TUSD' })
  await mintTestToken(devnet.client, { token, to: account, amount: parseUnits('10000', 18) })
  await devnet.submitter.sendUserOperation({
    account: ownerAccount,
    calls: [
      {
        to: account,
        data: encodeFunctionData({
          abi: accountCallsAbi,
          functionName: 'installModule',
          args: [1n, devnet.deployments.sessionKeyValidator, '0x'],
        }),
      },
    ],
  })
  return { owner, ownerAccount, account, token, recipient: privateKeyToAccount(generatePrivateKey()).address }
}
