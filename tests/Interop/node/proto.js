'use strict';
// Loads grpc.testing from the interop .proto files with @grpc/proto-loader (no code generation).
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const protos = path.join(__dirname, '..', 'Protos');
const definition = protoLoader.loadSync('grpc/testing/test.proto', {
  includeDirs: [protos],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
module.exports = { grpc, testing: grpc.loadPackageDefinition(definition).grpc.testing };
