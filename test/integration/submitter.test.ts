/** The bundler submitter's own failures: an endpoint that does not answer is named, briefly. */
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { before, describe, it } from 'node:test'
import { http } from 'viem'
import { createBundlerClient, entryPoint07Abi } from 'viem/account-abstraction'
import { createBundlerSubmitter, EndpointUnreachableError, entryPointAddress } from '../../src/index.js'
import { createFixture, type Fixture } from '../helpers/fixture.js'

let f: Fixture
before(async () => {
  f = await createFixture()
})

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

describe('createBundlerSubmitter', () => {
  it('names a bundler that does not answer in one short message, and sends nothing', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`
    const bundlerClient = createBundlerClient({ client: f.client, transport: http(url, { retryCount: 0 }) })
    const submitter = createBundlerSubmitter({ bundlerClient })
    const nonce = () =>
      f.client.readContract({
        address: entryPointAddress,
        abi: entryPoint07Abi,
        functionName: 'getNonce',
        args: [f.account, 0n],
      })
    const before = await nonce()
    const error = await submitter.sendUserOperation({ account: f.ownerAccount, calls: [f.transfer(1n)] }).then(
      () => undefined,
      (e: unknown) => e,
    )
    assert.ok(error instanceof EndpointUnreachableError, `got ${(error as Error)?.name}`)
    assert.equal(new URL(error.url ?? '').href, new URL(url).href)
    assert.equal(error.shortMessage, `The bundler at ${error.url} does not answer.`)
    assert.ok(error.message.length < 600, `a short message, not the whole request (${error.message.length} chars)`)
    assert.doesNotMatch(error.message, /callData|0x[0-9a-f]{64}/, 'no hex of the operation in the message')
    assert.ok(error.cause, "viem's error, with the request, stays as the cause")
    assert.equal(await nonce(), before, 'nothing was sent')
  })
})
