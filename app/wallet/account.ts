// The demo wallet's own account: an owner key made in this browser, its smart account, its funds.

import { accountCallsAbi, type Session, toOwnerAccount } from 'session-keys'
import { type Address, erc20Abi, type LocalAccount } from 'viem'
import type { SmartAccount } from 'viem/account-abstraction'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import type { Clients } from '../lib/chain'

const ownerKeyStorage = 'wallet.ownerKey'
const fundedStorage = 'wallet.funded'

export type WalletAccount = {
  owner: LocalAccount
  ownerAccount: SmartAccount
  address: Address
}

/** The owner key of this demo wallet: made once in this browser and kept in its storage (a devnet key only). */
export async function openWallet({ client }: Clients): Promise<WalletAccount> {
  let key = localStorage.getItem(ownerKeyStorage) as `0x${string}` | null
  if (!key || !/^0x[0-9a-f]{64}$/i.test(key)) {
    key = generatePrivateKey()
    localStorage.setItem(ownerKeyStorage, key)
  }
  const owner = privateKeyToAccount(key)
  const ownerAccount = await toOwnerAccount({ client, owner })
  const address = ownerAccount.address
  if (localStorage.getItem(fundedStorage) !== address) {
    const response = await fetch('/faucet', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address }),
    })
    if (!response.ok) throw new Error(`The devnet faucet answered ${response.status}.`)
    localStorage.setItem(fundedStorage, address)
  }
  return { owner, ownerAccount, address }
}

export type Balances = { eth: bigint; token: bigint; deployed: boolean }

export async function readBalances(
  { client }: Clients,
  { address, token }: { address: Address; token: Address },
): Promise<Balances> {
  const [eth, tokens, code] = await Promise.all([
    client.getBalance({ address }),
    client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [address] }),
    client.getCode({ address }),
  ])
  return { eth, token: tokens, deployed: Boolean(code && code !== '0x') }
}

/** Whether a session's module is installed on its account (then a grant can be signed off-chain). */
export async function canGrantOffChain(clients: Clients, session: Session): Promise<boolean> {
  const code = await clients.client.getCode({ address: session.account })
  if (!code || code === '0x') return false
  return clients.client.readContract({
    address: session.account,
    abi: accountCallsAbi,
    functionName: 'isModuleInstalled',
    args: [1n, session.module, '0x'],
  })
}
