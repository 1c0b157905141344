"""Message classes of the grpc.testing interop schema, built at run time from the
FileDescriptorSet that the Interop project's build writes with protoc (interop.pb), so no
code generator (grpcio-tools) is needed. Works with Debian's python3-protobuf."""
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def load(descriptor_set_path):
    fds = descriptor_pb2.FileDescriptorSet()
    with open(descriptor_set_path, "rb") as f:
        fds.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for fd in fds.file:
        pool.Add(fd)

    def cls(name):
        desc = pool.FindMessageTypeByName(name)
        if hasattr(message_factory, "GetMessageClass"):
            return message_factory.GetMessageClass(desc)
        return message_factory.MessageFactory(pool).GetPrototype(desc)

    names = ["Empty", "SimpleRequest", "SimpleResponse", "StreamingInputCallRequest",
             "StreamingInputCallResponse", "StreamingOutputCallRequest",
             "StreamingOutputCallResponse", "Payload", "ResponseParameters", "BoolValue",
             "EchoStatus"]
    return {n: cls("grpc.testing." + n) for n in names}
