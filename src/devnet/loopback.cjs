// Preloaded into the Alto bundler (node --require): Alto always listens on 0.0.0.0, and
// every server of this project must listen on 127.0.0.1 only. This pins any listen() on
// a wildcard address (or none) to the loopback address.
const net = require('node:net')

const wildcard = new Set([undefined, null, '', '0.0.0.0', '::', '::0'])
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function pinnedListen(...args) {
  const [first] = args
  if (first && typeof first === 'object' && !Array.isArray(first) && wildcard.has(first.host)) {
    args[0] = { ...first, host: '127.0.0.1' }
  } else if (
    typeof first === 'number' &&
    (args.length === 1 || typeof args[1] === 'function' || wildcard.has(args[1]))
  ) {
    args.splice(1, typeof args[1] === 'function' ? 0 : 1, '127.0.0.1')
  }
  return listen.apply(this, args)
}
