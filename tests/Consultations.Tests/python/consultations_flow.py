"""One consultation flow through consultations.v1 from Python grpcio: a non-.NET client.

Usage: consultations_flow.py HOST:PORT DESCRIPTOR_SET SECRETARIAT_TOKEN MEMBER_STATE_TOKEN MESSAGE.eml

Message classes are built at run time from a FileDescriptorSet (written by the test from the
C# contracts), so no protoc/grpc_tools is needed. Prints OK on success; any failed check
raises and exits non-zero.
"""
import hashlib
import os
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

address, descriptor_path, secretariat_token, member_state_token, eml_path = sys.argv[1:6]

files = descriptor_pb2.FileDescriptorSet.FromString(open(descriptor_path, "rb").read())
pool = descriptor_pool.DescriptorPool()
for file in files.file:
    pool.Add(file)
factory = message_factory.MessageFactory(pool)


def message(name):
    descriptor = pool.FindMessageTypeByName("consultations.v1." + name)
    get = getattr(message_factory, "GetMessageClass", None)
    return get(descriptor) if get else factory.GetPrototype(descriptor)


channel = grpc.insecure_channel(address, options=[("grpc.max_receive_message_length", 64 << 20)])


def call(method, request, response_type, token=None):
    stub = channel.unary_unary(
        "/consultations.v1.Consultations/" + method,
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=message(response_type).FromString)
    metadata = [("authorization", "Bearer " + token)] if token else None
    return stub(request, metadata=metadata, timeout=30)


def check(condition, what):
    if not condition:
        raise AssertionError(what)


meeting = call("ScheduleGroupMeeting", message("ScheduleGroupMeetingRequest")(starts_on="2027-03-31", venue="Geneva"),
               "GroupMeeting", secretariat_token)
consultation = call("OpenConsultation", message("OpenConsultationRequest")(
    meeting_id=meeting.id, title="Connectivity", issue_text="Issue", questions=["Q1?"]), "Consultation", member_state_token)
check(consultation.deadline.geneva_time == "2027-03-01T00:00:00+01:00", "deadline " + consultation.deadline.geneva_time)

content = os.urandom(50_000)
respondent = message("Respondent")(name="Kofi Mensah", organisation="Accra Digital", category=3, country_code="GH",
                                   email="kofi@example.gh")
request = message("SubmitResponseRequest")(consultation_id=consultation.id, respondent=respondent,
                                          text="Ɛyɛ: affordable access first — ✓",
                                          attachments=[message("AttachmentUpload")(file_name="answer.pdf",
                                                                                   media_type="application/pdf",
                                                                                   content=content)])
receipt = call("SubmitResponse", request, "Receipt")
check(receipt.sha256 == hashlib.sha256(request.SerializeToString()).hexdigest(), "receipt hash is over the request as sent")
check(receipt.tracking_number.startswith("CWG-27-"), "tracking number " + receipt.tracking_number)

published = call("GetResponse", message("GetResponseRequest")(id=receipt.response_id), "Response")
check(published.text == request.text, "text unedited")
check(published.respondent.email == "", "no e-mail address in public responses")
attachment = call("GetAttachment", message("GetAttachmentRequest")(response_id=receipt.response_id, index=0), "Attachment")
check(attachment.content == content, "attachment byte for byte")
check(attachment.info.sha256 == hashlib.sha256(content).hexdigest(), "attachment hash")

raw = open(eml_path, "rb").read()
ingested = call("IngestEmail", message("IngestEmailRequest")(raw_message=raw, channel=2,
                                                            envelope_recipient=consultation.email_address),
                "IngestEmailResponse", secretariat_token)
check(ingested.outcome == 1, "e-mail published, outcome %d" % ingested.outcome)
kept = call("GetResponse", message("GetResponseRequest")(id=ingested.receipt.response_id), "Response", secretariat_token)
check(kept.raw_message == raw, "raw message byte for byte")
check(ingested.receipt.sha256 == hashlib.sha256(raw).hexdigest(), "e-mail receipt hash")

try:
    bad = message("SubmitResponseRequest")(consultation_id=consultation.id, text="x",
                                          respondent=message("Respondent")(name="n", category=3, country_code="XYZ"))
    call("SubmitResponse", bad, "Receipt")
    raise AssertionError("a bad country code was accepted")
except grpc.RpcError as error:
    check(error.code() == grpc.StatusCode.INVALID_ARGUMENT, "status " + str(error.code()))
    check("respondent.country_code" in error.details(), "message names the field: " + error.details())

listed = call("ListResponses", message("ListResponsesRequest")(consultation_id=consultation.id), "ListResponsesResponse")
check(len(listed.responses) == 2, "two published responses")
print("OK")
