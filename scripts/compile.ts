/**
 * Compiles every contract under `contracts/` with the npm `solc` package (standard JSON)
 * and writes the typed ABIs and bytecode the SDK, devnet and tests import:
 *   src/generated/abis.ts      ABIs of the product contracts (`as const`)
 *   src/generated/bytecode.ts  creation bytecode of the product contracts
 *   src/generated/addresses.ts  their CREATE2 addresses (deterministic deployer, salt 0)
 *   src/generated/testContracts.ts  ABIs and bytecode of contracts used by tests and the demo
 * Generated files are not committed; `npm test`, `npm run demo` and CI run this first.
 * A content hash skips the work when nothing changed.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, posix, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { getContractAddress, type Hex } from 'viem'

const require = createRequire(import.meta.url)
const solc = require('solc') as {
  version(): string
  compile(input: string, options: { import(path: string): { contents: string } | { error: string } }): string
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const contractsDir = join(root, 'contracts')
const outDir = join(root, 'src', 'generated')
const hashFile = join(outDir, '.hash')

/** Product contracts: their ABIs go to the SDK. */
const product = ['SessionStoreLib', 'SessionKeyValidator', 'SessionAccount', 'SessionAccountFactory'] as const
/** Deployed at their own CREATE2 address and linked into the contracts that call them. */
const linkedLibraries = ['SessionStoreLib'] as const
/** Test-only contracts: used by tests and the demo, never by the SDK. */
const testOnly = [
  'TestToken',
  'TestNft',
  'TestTarget',
  'BadValidator',
  'AcceptAllValidator',
  'OffendingValidator',
  'OwnerKeyValidator',
  'TestPaymaster',
] as const

/** The deterministic CREATE2 deployer present on most chains (and put on the devnet). */
const CREATE2_DEPLOYER = '0x4e59b44847b379578588920ca78fbf26c0b4956c'
const DEPLOY_SALT = `0x${'00'.repeat(32)}` as Hex

const settings = {
  optimizer: { enabled: true, runs: 10_000 },
  evmVersion: 'cancun',
  outputSelection: {
    '*': {
      '*': [
        'abi',
        'evm.bytecode.object',
        'evm.bytecode.linkReferences',
        'evm.deployedBytecode.object',
        'evm.deployedBytecode.linkReferences',
        'evm.deployedBytecode.sourceMap',
      ],
    },
  },
}

/** EIP-170: the largest runtime code a chain deploys. */
const maxCodeSize = 24_576

function listSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return listSources(path)
    return name.endsWith('.sol') ? [path] : []
  })
}

function resolveImport(path: string): { contents: string } | { error: string } {
  for (const base of [root, join(root, 'node_modules')]) {
    const full = join(base, path)
    if (existsSync(full)) return { contents: readFileSync(full, 'utf8') }
  }
  return { error: `import not found: ${path}` }
}

/** Where solc left a library's address blank: source → library → byte ranges. */
type LinkReferences = Record<string, Record<string, { start: number; length: number }[]>>
type Output = {
  errors?: { severity: string; formattedMessage: string }[]
  sources: Record<string, { id: number }>
  contracts: Record<
    string,
    Record<
      string,
      {
        abi: unknown[]
        evm: {
          bytecode: { object: string; linkReferences: LinkReferences }
          deployedBytecode: { object: string; linkReferences: LinkReferences; sourceMap: string }
        }
      }
    >
  >
}

/** The CREATE2 address of `bytecode` from the deterministic deployer with salt 0. */
const create2Address = (bytecode: string) =>
  getContractAddress({ opcode: 'CREATE2', from: CREATE2_DEPLOYER, salt: DEPLOY_SALT, bytecode: `0x${bytecode}` as Hex })

/** Writes each library's address where solc left it blank, in place (hex without 0x). */
function link(object: string, references: LinkReferences, addresses: Map<string, string>): string {
  let linked = object
  for (const libraries of Object.values(references)) {
    for (const [name, ranges] of Object.entries(libraries)) {
      const address = addresses.get(name)
      if (!address) throw new Error(`library ${name} has no address to link`)
      for (const { start, length } of ranges) {
        linked = linked.slice(0, start * 2) + address.slice(2).toLowerCase() + linked.slice((start + length) * 2)
      }
    }
  }
  return linked
}

function compile(sources: Record<string, { content: string }>, solcSettings: object): Output {
  const input = { language: 'Solidity', sources, settings: solcSettings }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: resolveImport })) as Output
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  for (const e of output.errors ?? []) if (e.severity !== 'error') console.warn(e.formattedMessage)
  if (errors.length > 0) {
    for (const e of errors) console.error(e.formattedMessage)
    process.exit(1)
  }
  return output
}

/** The source unit names a file imports, as solc resolves them (relative to the importer, or as given). */
function importsOf(unit: string, content: string): string[] {
  return [...content.matchAll(/\bimport\s+(?:[^;]*?\bfrom\s+)?["']([^"']+)["']\s*;/g)].map(([, path]) =>
    path.startsWith('.') ? posix.normalize(posix.join(posix.dirname(unit), path)) : path,
  )
}

/**
 * Compiles with a per-file cache (node_modules/.cache): a file's outputs are reused while the
 * compiler, the settings, the set of source units (their ids are in the source maps) and the
 * text of the file and of everything it imports are unchanged. Only the other files are
 * compiled (solc still reads every source, and generates code for those alone): a change to
 * the module recompiles the module, not the account and the test contracts. The mutation
 * check relies on this (one recompile per Solidity mutant).
 */
function compileCached(sources: Record<string, { content: string }>): Output {
  const contents = new Map<string, string>()
  const closureOf = (unit: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(unit)) return seen
    seen.add(unit)
    let content = sources[unit]?.content ?? contents.get(unit)
    if (content === undefined) {
      const resolved = resolveImport(unit)
      if ('error' in resolved) return seen // solc reports it
      content = resolved.contents
    }
    contents.set(unit, content)
    for (const imported of importsOf(unit, content)) closureOf(imported, seen)
    return seen
  }
  const closures = new Map(Object.keys(sources).map((file) => [file, closureOf(file)]))
  const units = [...new Set([...closures.values()].flatMap((c) => [...c]))].sort()
  const digest = (...parts: string[]) => {
    const h = createHash('sha256')
    for (const part of parts) h.update(part).update('\0')
    return h.digest('hex')
  }
  const base = digest(solc.version(), JSON.stringify(settings), ...units)
  const cacheDir = join(root, 'node_modules', '.cache', 'session-keys-solc')
  mkdirSync(cacheDir, { recursive: true })
  const cached = (key: string) => {
    const path = join(cacheDir, `${key}.json`)
    return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined
  }
  const keys = new Map(
    [...closures].map(([file, closure]) => [
      file,
      digest(base, file, ...[...closure].sort().flatMap((unit) => [unit, contents.get(unit) ?? ''])),
    ]),
  )
  const contracts: Output['contracts'] = {}
  const stale: string[] = []
  for (const [file, key] of keys) {
    const hit = cached(key) as Output['contracts'][string] | undefined
    if (hit) contracts[file] = hit
    else stale.push(file)
  }
  const idsFile = `ids-${base}`
  let ids = cached(idsFile) as Output['sources'] | undefined
  if (stale.length > 0 || ids === undefined) {
    const selection = Object.fromEntries(stale.map((file) => [file, settings.outputSelection['*']]))
    // Nothing stale but the source ids unknown: compile one file to learn them.
    const some = stale.length > 0 ? selection : { [Object.keys(sources)[0]]: settings.outputSelection['*'] }
    const output = compile(sources, { ...settings, outputSelection: some })
    ids = output.sources
    writeFileSync(join(cacheDir, `${idsFile}.json`), JSON.stringify(ids))
    for (const file of stale) {
      contracts[file] = output.contracts[file] ?? {}
      writeFileSync(join(cacheDir, `${keys.get(file)}.json`), JSON.stringify(contracts[file]))
    }
  }
  return { sources: ids, contracts }
}

function main(): void {
  const files = listSources(contractsDir).sort()
  const sources: Record<string, { content: string }> = {}
  for (const file of files) sources[relative(root, file)] = { content: readFileSync(file, 'utf8') }

  const hash = createHash('sha256')
    .update(solc.version())
    .update(JSON.stringify(settings))
    .update(JSON.stringify(sources))
    .update(readFileSync(join(root, 'scripts', 'compile.ts')))
    .update(readFileSync(join(root, 'node_modules', '@account-abstraction', 'contracts', 'package.json')))
    .digest('hex')
  const upToDate = existsSync(hashFile) && readFileSync(hashFile, 'utf8') === hash
  if (upToDate && existsSync(join(root, 'artifacts', 'SessionKeyValidator.json'))) {
    console.log('contracts: up to date')
    return
  }

  const output = compileCached(sources)
  // Libraries first (they link nothing themselves), then their addresses into every caller.
  const libraryAddresses = new Map<string, string>()
  for (const contracts of Object.values(output.contracts)) {
    for (const [name, c] of Object.entries(contracts)) {
      if ((linkedLibraries as readonly string[]).includes(name)) {
        libraryAddresses.set(name, create2Address(c.evm.bytecode.object))
      }
    }
  }
  for (const contracts of Object.values(output.contracts)) {
    for (const c of Object.values(contracts)) {
      c.evm.bytecode.object = link(c.evm.bytecode.object, c.evm.bytecode.linkReferences, libraryAddresses)
      c.evm.deployedBytecode.object = link(
        c.evm.deployedBytecode.object,
        c.evm.deployedBytecode.linkReferences,
        libraryAddresses,
      )
    }
  }

  // viem needs names and types only: `internalType` would just weigh on the SDK bundle.
  const strip = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(strip)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .filter(([k]) => k !== 'internalType')
              .map(([k, v]) => [k, strip(v)]),
          )
        : value
  const byName = new Map<string, { abi: unknown[]; bytecode: string; deployedBytecode: string }>()
  for (const [source, contracts] of Object.entries(output.contracts)) {
    if (!source.startsWith('contracts/')) continue
    for (const [name, c] of Object.entries(contracts)) {
      byName.set(name, {
        abi: strip(c.abi) as unknown[],
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      })
    }
  }
  const get = (name: string) => {
    const c = byName.get(name)
    if (!c) throw new Error(`contract ${name} was not compiled`)
    return c
  }
  for (const name of product) {
    const size = (get(name).deployedBytecode.length - 2) / 2
    if (size > maxCodeSize) {
      console.error(`${name}: runtime code is ${size} bytes, over EIP-170's ${maxCodeSize}: no chain would deploy it`)
      process.exit(1)
    }
  }
  const lower = (name: string) => name[0].toLowerCase() + name.slice(1)
  const header = `// Generated by scripts/compile.ts from contracts/ (solc ${solc.version()}). Do not edit by hand.\n\n`

  mkdirSync(outDir, { recursive: true })
  // For the gas profile (npm run bench:profile): which source line each instruction comes from.
  const sourceFiles: string[] = []
  for (const [path, { id }] of Object.entries(output.sources)) sourceFiles[id] = path
  const sourceMaps = Object.fromEntries(
    Object.entries(output.contracts)
      .filter(([source]) => source.startsWith('contracts/'))
      .flatMap(([, contracts]) =>
        Object.entries(contracts).map(([name, c]) => [
          name,
          { deployedBytecode: `0x${c.evm.deployedBytecode.object}`, sourceMap: c.evm.deployedBytecode.sourceMap },
        ]),
      ),
  )
  writeFileSync(join(outDir, 'sourceMaps.json'), JSON.stringify({ sourceFiles, contracts: sourceMaps }))
  writeFileSync(
    join(outDir, 'abis.ts'),
    header +
      product
        .filter((n) => !(linkedLibraries as readonly string[]).includes(n))
        .map((n) => `export const ${lower(n)}Abi = ${JSON.stringify(get(n).abi)} as const\n`)
        .join('\n'),
  )
  // The SDK itself needs only these account functions: a small ABI keeps its bundle small
  // (the full ABIs stay available from the 'session-keys/abis' entry).
  const accountFunctions = [
    'accountId',
    'execute',
    'installModule',
    'uninstallModule',
    'isModuleInstalled',
    'isValidSignature',
  ]
  const accountCalls = (get('SessionAccount').abi as { type: string; name?: string }[]).filter(
    (item) => item.type === 'function' && accountFunctions.includes(item.name ?? ''),
  )
  writeFileSync(
    join(outDir, 'accountCallsAbi.ts'),
    `${header}/** The account functions the SDK calls (a subset of sessionAccountAbi). */\nexport const accountCallsAbi = ${JSON.stringify(accountCalls)} as const\n`,
  )
  // The validator functions the SDK calls, and every custom error (to decode refusals): the
  // full ABI is three times larger and stays in 'session-keys/abis'.
  const validatorFunctions = [
    'createSession',
    'getEpoch',
    'getGasLeft',
    'getPeriodUsage',
    'getRuleTotal',
    'getSession',
    'getSessionKey',
    'getSessionUsageHash',
    'getTargetUsage',
    'getTokenLimit',
    'renounceSession',
    'revokeAllSessions',
    'revokeSession',
    'revokeSessionIfUnchanged',
    'rotateSessionKey',
    'setSessionEnabled',
  ]
  // Argument names of errors and outputs are decoded positionally: left out, they only weigh.
  const unnamed = (params: { name?: string }[] = []) => params.map(({ name: _name, ...rest }) => rest)
  const validatorCalls = (get('SessionKeyValidator').abi as { type: string; name?: string }[])
    .filter(
      (item) => item.type === 'error' || (item.type === 'function' && validatorFunctions.includes(item.name ?? '')),
    )
    .map((item) => {
      const entry = item as { type: string; inputs?: { name?: string }[]; outputs?: { name?: string }[] }
      return entry.type === 'error'
        ? { ...entry, inputs: unnamed(entry.inputs) }
        : { ...entry, outputs: unnamed(entry.outputs) }
    })
  // In parts as well, so that a bundler keeps only what the importing code uses: a dapp that
  // reads and grants sessions does not ship the error list, which only decoding needs.
  const isView = (item: { type: string; stateMutability?: string }) =>
    item.type === 'function' && item.stateMutability === 'view'
  const views = validatorCalls.filter(isView)
  const writes = validatorCalls.filter((item) => item.type === 'function' && !isView(item))
  const errorItems = validatorCalls.filter((item) => item.type === 'error')
  const part = (name: string, doc: string, items: unknown[]) =>
    `/** ${doc} */\nexport const ${name} = ${JSON.stringify(items)} as const\n`
  writeFileSync(
    join(outDir, 'validatorCallsAbi.ts'),
    [
      header,
      part(
        'validatorCallsAbi',
        'The validator functions the SDK calls and its errors (a subset of sessionKeyValidatorAbi).',
        validatorCalls,
      ),
      part('validatorViewsAbi', 'The validator view functions the SDK reads.', views),
      part('validatorWritesAbi', 'The validator functions the SDK encodes calls to.', writes),
    ].join('\n'),
  )
  if (errorItems.length + views.length + writes.length !== validatorCalls.length) throw new Error('validator ABI split')
  writeFileSync(
    join(outDir, 'bytecode.ts'),
    header + product.map((n) => `export const ${lower(n)}Bytecode = '${get(n).bytecode}' as const\n`).join('\n'),
  )
  writeFileSync(
    join(outDir, 'testContracts.ts'),
    header +
      testOnly
        .map(
          (n) =>
            `export const ${lower(n)}Abi = ${JSON.stringify(get(n).abi)} as const\n` +
            `export const ${lower(n)}Bytecode = '${get(n).bytecode}' as const\n`,
        )
        .join('\n'),
  )
  const address = (n: string) => create2Address(get(n).bytecode.slice(2))
  writeFileSync(
    join(outDir, 'addresses.ts'),
    `${header}/** Salt used with the deterministic deployer ${CREATE2_DEPLOYER}. */\n` +
      `export const deploySalt = '${DEPLOY_SALT}' as const\n\n` +
      ['SessionStoreLib', 'SessionKeyValidator', 'SessionAccountFactory']
        .map((n) => `export const ${lower(n)}Address = '${address(n)}' as const\n`)
        .join(''),
  )
  // The EntryPoint v0.7 creation code from @account-abstraction/contracts@0.7.0 (its CREATE2
  // deployment reproduces the canonical address), for the devnet: the package ships it, so a
  // dapp's devnet needs no @account-abstraction install.
  const entryPoint = JSON.parse(
    readFileSync(
      join(root, 'node_modules', '@account-abstraction', 'contracts', 'artifacts', 'EntryPoint.json'),
      'utf8',
    ),
  ) as { bytecode: string }
  writeFileSync(
    join(outDir, 'entryPoint.ts'),
    `${header}/** EntryPoint v0.7 creation code (@account-abstraction/contracts@0.7.0). */\nexport const entryPointBytecode = '${entryPoint.bytecode}' as const\n`,
  )

  // JSON artifacts of the product contracts, shipped in the package for Foundry and Hardhat
  // users: name, source, ABI (with internal types), creation and runtime bytecode, address.
  const artifactsDir = join(root, 'artifacts')
  mkdirSync(artifactsDir, { recursive: true })
  for (const [source, contracts] of Object.entries(output.contracts)) {
    for (const [name, c] of Object.entries(contracts)) {
      if (!(product as readonly string[]).includes(name)) continue
      const artifact = {
        contractName: name,
        sourceName: source,
        compiler: { version: solc.version(), settings },
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
        // Linked already: the library's address is in the validator's bytecode (linkReferences
        // say where, for tools that link themselves).
        linkReferences: c.evm.bytecode.linkReferences,
        deployedLinkReferences: c.evm.deployedBytecode.linkReferences,
        ...(name !== 'SessionAccount'
          ? { deterministicAddress: address(name), deploySalt: DEPLOY_SALT, deployer: CREATE2_DEPLOYER }
          : {}),
      }
      writeFileSync(join(artifactsDir, `${name}.json`), `${JSON.stringify(artifact, null, 2)}\n`)
    }
  }
  writeFileSync(hashFile, hash)
  const sizes = product.map((n) => `${n} ${(get(n).deployedBytecode.length - 2) / 2} bytes`).join(', ')
  console.log(`contracts: compiled ${files.length} files with solc ${solc.version()} (${sizes})`)
}

main()
