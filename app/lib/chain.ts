// Clients for the page's own origin: /rpc and /bundler are forwarded to the node and Alto.
import { type Chain, createPublicClient, defineChain, http, type PublicClient } from 'viem'
import { type BundlerClient, createBundlerClient } from 'viem/account-abstraction'

export type Clients = { chain: Chain; client: PublicClient; bundlerClient: BundlerClient }

export function createClients(chainId: number, origin: string): Clients {
  const chain: Chain = defineChain({
    id: chainId,
    name: 'Devnet',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [`${origin}/rpc`] } },
  })
  const client = createPublicClient({ chain, transport: http(`${origin}/rpc`), pollingInterval: 250 })
  const bundlerClient = createBundlerClient({ client, transport: http(`${origin}/bundler`), pollingInterval: 250 })
  return { chain, client: client as PublicClient, bundlerClient }
}

/** The page's /config.json. */
export async function loadConfig<T>(): Promise<T> {
  const response = await fetch('/config.json')
  if (!response.ok) throw new Error(`/config.json answered ${response.status}: is \`npm run app\` running?`)
  return (await response.json()) as T
}
