/** The command-line scripts answer bad flags with a clear message and exit 1, never a stack trace. */

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { describe, it } from 'node:test'

const run = (script: string, args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 60_000 })

describe('npm run devnet: bad flags', () => {
  it('an unknown flag names itself and shows the usage', () => {
    const result = run('scripts/devnet.ts', ['--port', '1'])
    assert.equal(result.status, 1)
    assert.match(result.stderr, /Unknown option '--port'/)
    assert.match(result.stderr, /Usage: npm run devnet \[-- --rpc-port N\] \[--bundler-port N\]/)
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
  })

  it('a port that is not a number says so, not NaN', () => {
    const result = run('scripts/devnet.ts', ['--rpc-port', 'abc'])
    assert.equal(result.status, 1)
    assert.match(result.stderr, /--rpc-port takes a port number from 1 to 65535, not 'abc'/)
    assert.doesNotMatch(result.stderr, /NaN/)
  })
})

describe('npm run example: a name that is not an example', () => {
  it('says which name is unknown, suggests the nearest, and lists them', () => {
    const result = run('scripts/example.ts', ['describ'])
    assert.equal(result.status, 1)
    assert.match(result.stderr, /There is no example 'describ'\. Did you mean 'describe'\?/)
    assert.match(result.stderr, /Examples: .*argument-rules.*describe/)
  })
})

describe('npm run deploy: bad key or endpoint', () => {
  const deploy = (key: string, rpc: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/deploy.ts', '--rpc', rpc], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, DEPLOYER_PRIVATE_KEY: key },
    })

  it('a zero key is refused in plain words, without the key or a stack trace', () => {
    const zero = `0x${'00'.repeat(32)}`
    const result = deploy(zero, 'http://127.0.0.1:9')
    assert.equal(result.status, 1)
    assert.match(result.stderr, /DEPLOYER_PRIVATE_KEY is not a valid secp256k1 private key/)
    assert.doesNotMatch(result.stderr, /\n\s+at |noble|0x0{64}/)
  })

  it('an RPC that does not answer is named with its URL', () => {
    const result = deploy(`0x${'00'.repeat(31)}01`, 'http://127.0.0.1:9')
    assert.equal(result.status, 1)
    assert.match(result.stderr, /The node at http:\/\/127\.0\.0\.1:9\/? does not answer\./)
    assert.doesNotMatch(result.stderr, /\n\s+at /)
  })
})
