'use strict';
// A gRPC interop client on @grpc/grpc-js running one case of the interop test descriptions:
//   node client.js --server_port=N --test_case=NAME|NAME,NAME|all
// Prints "PASS name" or "FAIL name: reason" per case; exit code 0 when all pass.
const { grpc, testing } = require('./proto');

const NO_COMPRESS = 2; // grpc-js WriteFlags.NoCompress, passed as write()'s encoding argument

function args() {
  const out = { server_host: '127.0.0.1' };
  for (const a of process.argv.slice(2)) {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const zeros = (n) => Buffer.alloc(n);
const deadline = (seconds) => new Date(Date.now() + seconds * 1000);

function unary(client, method, request, metadata = new grpc.Metadata(), options = {}) {
  return new Promise((resolve) => {
    let initial = null;
    const call = client[method](request, metadata, { deadline: deadline(10), ...options }, (err, response) => {
      call.on('status', (status) => resolve({ err, response, initial, status }));
    });
    call.on('metadata', (md) => { initial = md; });
  });
}

function collect(call) {
  return new Promise((resolve) => {
    const messages = [];
    let initial = null;
    let err = null;
    call.on('metadata', (md) => { initial = md; });
    call.on('data', (m) => messages.push(m));
    call.on('error', (e) => { err = e; });
    call.on('status', (status) => setImmediate(() => resolve({ messages, initial, status, err })));
  });
}

function clientStreaming(client, requests, options = {}, flags = []) {
  return new Promise((resolve) => {
    const call = client.StreamingInputCall(new grpc.Metadata(), { deadline: deadline(10), ...options }, (err, response) => {
      call.on('status', (status) => resolve({ err, response, status }));
    });
    requests.forEach((r, i) => call.write(r, flags[i]));
    call.end();
  });
}

function expectCode(result, code, message) {
  check(result.err, `expected status ${code}, the call succeeded`);
  check(result.err.code === code, `expected status ${code}, got ${result.err.code}: ${result.err.details}`);
  if (message !== undefined) check(result.err.details === message, `expected message ${JSON.stringify(message)}, got ${JSON.stringify(result.err.details)}`);
}

function nextMessage(call) {
  return new Promise((resolve, reject) => {
    const onData = (m) => { cleanup(); resolve(m); };
    const onError = (e) => { cleanup(); reject(e); };
    const onEnd = () => { cleanup(); resolve(null); };
    const cleanup = () => { call.off('data', onData); call.off('error', onError); call.off('end', onEnd); };
    call.on('data', onData);
    call.on('error', onError);
    call.on('end', onEnd);
  });
}

const cases = {
  async empty_unary(c) {
    const r = await unary(c.client, 'EmptyCall', {});
    check(!r.err, `error ${r.err && r.err.details}`);
    check(r.response, 'no response');
  },

  async large_unary(c) {
    const r = await unary(c.client, 'UnaryCall', { response_size: 314159, payload: { body: zeros(271828) } });
    check(!r.err, `error ${r.err && r.err.details}`);
    check(r.response.payload.body.length === 314159, `size ${r.response.payload.body.length}`);
    check(r.response.payload.body.equals(zeros(314159)), 'payload not zeros');
  },

  async client_compressed_unary(c) {
    const request = (expect) => ({ expect_compressed: { value: expect }, response_size: 314159, payload: { body: zeros(271828) } });
    expectCode(await unary(c.client, 'UnaryCall', request(true)), grpc.status.INVALID_ARGUMENT);
    const gz = c.gzipClient();
    await unary(gz, 'EmptyCall', {}); // learn the server's grpc-accept-encoding
    const r1 = await unary(gz, 'UnaryCall', request(true));
    check(!r1.err, `compressed call: ${r1.err && r1.err.details}`);
    check(r1.response.payload.body.length === 314159, 'compressed call: size');
    const r2 = await unary(c.client, 'UnaryCall', request(false));
    check(!r2.err, `uncompressed call: ${r2.err && r2.err.details}`);
    check(r2.response.payload.body.length === 314159, 'uncompressed call: size');
  },

  async server_compressed_unary(c) {
    // grpc-js does not expose the per-message compressed flag; the call and payload are checked.
    for (const value of [true, false]) {
      const r = await unary(c.client, 'UnaryCall', { response_compressed: { value }, response_size: 314159, payload: { body: zeros(271828) } });
      check(!r.err, `error ${r.err && r.err.details}`);
      check(r.response.payload.body.length === 314159, `size (compressed=${value})`);
    }
  },

  async client_streaming(c) {
    const r = await clientStreaming(c.client, [27182, 8, 1828, 45904].map((n) => ({ payload: { body: zeros(n) } })));
    check(!r.err, `error ${r.err && r.err.details}`);
    check(r.response.aggregated_payload_size === 74922, `aggregated ${r.response.aggregated_payload_size}`);
  },

  async client_compressed_streaming(c) {
    const probe = { expect_compressed: { value: true }, payload: { body: zeros(27182) } };
    expectCode(await clientStreaming(c.client, [probe]), grpc.status.INVALID_ARGUMENT);
    const gz = c.gzipClient();
    await unary(gz, 'EmptyCall', {});
    const r = await clientStreaming(gz, [probe, { expect_compressed: { value: false }, payload: { body: zeros(45904) } }], {}, [0, NO_COMPRESS]);
    check(!r.err, `error ${r.err && r.err.details}`);
    check(r.response.aggregated_payload_size === 73086, `aggregated ${r.response.aggregated_payload_size}`);
  },

  async server_streaming(c) {
    const sizes = [31415, 9, 2653, 58979];
    const r = await collect(c.client.StreamingOutputCall({ response_parameters: sizes.map((size) => ({ size })) }, { deadline: deadline(10) }));
    check(!r.err, `error ${r.err && r.err.details}`);
    check(JSON.stringify(r.messages.map((m) => m.payload.body.length)) === JSON.stringify(sizes), 'sizes');
  },

  async server_compressed_streaming(c) {
    const r = await collect(c.client.StreamingOutputCall({ response_parameters: [
      { size: 31415, compressed: { value: true } }, { size: 92653, compressed: { value: false } }] }, { deadline: deadline(10) }));
    check(!r.err, `error ${r.err && r.err.details}`);
    check(JSON.stringify(r.messages.map((m) => m.payload.body.length)) === JSON.stringify([31415, 92653]), 'sizes');
  },

  async ping_pong(c) {
    const call = c.client.FullDuplexCall({ deadline: deadline(10) });
    const done = new Promise((resolve) => call.on('status', resolve));
    for (const [resp, req] of [[31415, 27182], [9, 8], [2653, 1828], [58979, 45904]]) {
      call.write({ response_parameters: [{ size: resp }], payload: { body: zeros(req) } });
      const m = await nextMessage(call);
      check(m && m.payload.body.length === resp, `size ${m && m.payload.body.length} != ${resp}`);
    }
    call.end();
    check((await nextMessage(call)) === null, 'more responses than requests');
    const status = await done;
    check(status.code === grpc.status.OK, `status ${status.code}`);
  },

  async empty_stream(c) {
    const call = c.client.FullDuplexCall({ deadline: deadline(10) });
    const result = collect(call);
    call.end();
    const r = await result;
    check(!r.err, `error ${r.err && r.err.details}`);
    check(r.messages.length === 0, `${r.messages.length} responses`);
  },

  async custom_metadata(c) {
    const md = () => {
      const m = new grpc.Metadata();
      m.set('x-grpc-test-echo-initial', 'test_initial_metadata_value');
      m.set('x-grpc-test-echo-trailing-bin', Buffer.from([0xab, 0xab, 0xab]));
      return m;
    };
    const verify = (initial, trailing, what) => {
      check(initial && initial.get('x-grpc-test-echo-initial')[0] === 'test_initial_metadata_value', `${what}: initial metadata`);
      const t = trailing.get('x-grpc-test-echo-trailing-bin')[0];
      check(Buffer.isBuffer(t) && t.equals(Buffer.from([0xab, 0xab, 0xab])), `${what}: trailing metadata`);
    };
    const r = await unary(c.client, 'UnaryCall', { response_size: 314159, payload: { body: zeros(271828) } }, md());
    check(!r.err, `unary error ${r.err && r.err.details}`);
    verify(r.initial, r.status.metadata, 'unary');
    const call = c.client.FullDuplexCall(md(), { deadline: deadline(10) });
    const result = collect(call);
    call.write({ response_parameters: [{ size: 314159 }], payload: { body: zeros(271828) } });
    call.end();
    const d = await result;
    check(!d.err, `duplex error ${d.err && d.err.details}`);
    check(d.messages.length === 1 && d.messages[0].payload.body.length === 314159, 'duplex response');
    verify(d.initial, d.status.metadata, 'duplex');
  },

  async status_code_and_message(c) {
    const status = { code: 2, message: 'test status message' };
    expectCode(await unary(c.client, 'UnaryCall', { response_status: status }), grpc.status.UNKNOWN, status.message);
    const call = c.client.FullDuplexCall({ deadline: deadline(10) });
    const result = collect(call);
    call.write({ response_status: status });
    call.end();
    const r = await result;
    check(r.status.code === grpc.status.UNKNOWN, `duplex status ${r.status.code}`);
    check(r.status.details === status.message, `duplex message ${JSON.stringify(r.status.details)}`);
  },

  async special_status_message(c) {
    const message = '\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \u{1F608}\t\n';
    expectCode(await unary(c.client, 'UnaryCall', { response_status: { code: 2, message } }), grpc.status.UNKNOWN, message);
  },

  async unimplemented_method(c) {
    expectCode(await unary(c.client, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
  },

  async unimplemented_service(c) {
    const other = new testing.UnimplementedService(c.address, grpc.credentials.createInsecure());
    expectCode(await unary(other, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
    other.close();
  },

  async cancel_after_begin(c) {
    const result = new Promise((resolve) => {
      const call = c.client.StreamingInputCall({ deadline: deadline(10) }, (err) => resolve(err));
      call.cancel();
    });
    const err = await result;
    check(err && err.code === grpc.status.CANCELLED, `status ${err && err.code}`);
  },

  async cancel_after_first_response(c) {
    const call = c.client.FullDuplexCall({ deadline: deadline(10) });
    const errored = new Promise((resolve) => call.on('error', resolve));
    call.write({ response_parameters: [{ size: 31415 }], payload: { body: zeros(27182) } });
    const m = await nextMessage(call);
    check(m && m.payload.body.length === 31415, 'first response size');
    call.cancel();
    const err = await errored;
    check(err.code === grpc.status.CANCELLED, `status ${err.code}`);
  },

  async timeout_on_sleeping_server(c) {
    const call = c.client.FullDuplexCall({ deadline: new Date(Date.now() + 1) });
    const result = collect(call);
    call.write({ payload: { body: zeros(27182) } });
    const r = await result;
    check(r.status.code === grpc.status.DEADLINE_EXCEEDED, `status ${r.status.code}`);
  },
};

async function main() {
  const a = args();
  const address = `${a.server_host}:${a.server_port}`;
  const names = a.test_case === 'all' ? Object.keys(cases) : String(a.test_case).split(',');
  const clients = [];
  const make = (options = {}) => {
    const client = new testing.TestService(address, grpc.credentials.createInsecure(), options);
    clients.push(client);
    return client;
  };
  const context = { address, client: make(), gzipClient: () => make({ 'grpc.default_compression_algorithm': 2 }) };
  let failed = 0;
  for (const name of names) {
    try {
      if (!cases[name]) throw new Error('unknown test case');
      await cases[name](context);
      console.log(`PASS ${name}`);
    } catch (e) {
      console.log(`FAIL ${name}: ${e.message}`);
      failed++;
    }
  }
  clients.forEach((c) => c.close());
  process.exitCode = failed ? 1 : 0;
}

main();
