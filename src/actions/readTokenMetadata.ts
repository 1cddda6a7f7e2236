import { type Address, type Client, erc20Abi, getAddress } from 'viem'
import { readContract } from 'viem/actions'

/** What an ERC-20 says of itself; a field it does not answer stays undefined. */
export type TokenMetadata = { symbol?: string | undefined; name?: string | undefined; decimals?: number | undefined }

/** Parameters of {@link readTokenMetadata}. */
export type ReadTokenMetadataParameters = {
  /** The token contracts. */
  addresses: readonly Address[]
  /** The fields to read (all by default): fewer fields, fewer calls. */
  fields?: readonly (keyof TokenMetadata)[] | undefined
}

/** Return type of {@link readTokenMetadata}: metadata keyed by checksummed address. */
export type ReadTokenMetadataReturnType = Record<string, TokenMetadata>

/** Errors of {@link readTokenMetadata}: none of its own (a field the token does not answer stays undefined). */
export type ReadTokenMetadataErrorType = never

/**
 * Reads the symbol, name and decimals of each address (keyed checksummed), for showing
 * amounts in a token's units. Contracts that are not ERC-20s with metadata just leave the
 * fields out.
 *
 * @param client A client on the tokens' chain.
 * @param parameters The token addresses, and optionally the fields to read.
 * @returns Each address's metadata.
 * @example
 * import { readTokenMetadata } from 'session-keys'
 * const { [usdc]: meta } = await readTokenMetadata(client, { addresses: [usdc] })
 */
export async function readTokenMetadata(
  client: Client,
  parameters: ReadTokenMetadataParameters,
): Promise<ReadTokenMetadataReturnType> {
  const { addresses, fields = ['symbol', 'name', 'decimals'] } = parameters
  const entries = await Promise.all(
    addresses.map(async (address) => {
      const read = async <T>(functionName: keyof TokenMetadata): Promise<T | undefined> => {
        if (!fields.includes(functionName)) return undefined
        try {
          return (await readContract(client, { address, abi: erc20Abi, functionName })) as T
        } catch {
          return undefined
        }
      }
      const [symbol, name, decimals] = await Promise.all([
        read<string>('symbol'),
        read<string>('name'),
        read<number>('decimals'),
      ])
      return [getAddress(address), { symbol, name, decimals }] as const
    }),
  )
  return Object.fromEntries(entries)
}
