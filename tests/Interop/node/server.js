'use strict';
// grpc.testing.TestService UnaryCall/EmptyCall on @grpc/grpc-js, the Node peer of bench/grpc:
//   node server.js --port=0   (prints "Listening on port N")
const { grpc, testing } = require('./proto');

const portArg = process.argv.find((a) => a.startsWith('--port='));
const port = portArg ? Number(portArg.slice('--port='.length)) : 0;

const server = new grpc.Server();
server.addService(testing.TestService.service, {
  EmptyCall: (call, callback) => callback(null, {}),
  UnaryCall: (call, callback) => callback(null, { payload: { body: Buffer.alloc(call.request.response_size) } }),
});
server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
  if (err) {
    console.error(err.message);
    process.exit(1);
  }
  console.log(`Listening on port ${bound}`);
});
