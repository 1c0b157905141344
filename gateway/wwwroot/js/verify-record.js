// Verifies, in the reader's browser with Web Crypto alone, the response shown on the page
// (services/Consultations/README.md, "Published records and the log"):
//  1. downloads the published record (the bytes the page offers) and compares its SHA-256 with the
//     published hash shown on the page;
//  2. downloads each attachment and compares its SHA-256 with the one the record lists (when they
//     come to at most data-attachment-limit bytes together);
//  3. fetches the inclusion proof against the consultation's latest checkpoint (the final one once
//     closed) and recomputes the log's root with RFC 9162 hashing: leaf SHA-256(0x00 ‖ hash),
//     node SHA-256(0x01 ‖ left ‖ right);
//  4. checks the checkpoint's ECDSA P-256 / SHA-256 signature (IEEE P1363 r ‖ s, as the service
//     signs) with the log's public key (SubjectPublicKeyInfo).
// The outcome is written in words into the page's live region; each failure names its step.
// Without script the region keeps its text saying that verification could not run here.
(() => {
  "use strict";
  const section = document.getElementById("verification");
  const result = document.getElementById("verification-result");
  if (!section || !result) {
    return;
  }
  const d = section.dataset;
  const lang = document.documentElement.lang;
  const format = (template, ...values) => template.replace(/\{(\d)\}/g, (_, i) => String(values[+i]));

  const show = (outcome, text) => {
    result.dataset.outcome = outcome;
    result.className = outcome === "verified" ? "verification verified" : "verification failed";
    result.textContent = text;
  };

  class StepFailure extends Error {
    constructor(outcome, text) {
      super(text);
      this.outcome = outcome;
    }
  }
  const fail = (outcome, text) => { throw new StepFailure(outcome, text); };

  const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
  const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  async function download(url, outcome, text) {
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    } catch {
      fail(outcome, text);
    }
    if (!response.ok) {
      fail(outcome, text);
    }
    return response;
  }

  // RFC 9162 §2.1.3.2: the root an inclusion proof leads to from a leaf hash.
  async function rootFromInclusionProof(leafIndex, treeSize, leafHash, path) {
    if (leafIndex >= treeSize) {
      return null;
    }
    let fn = leafIndex;
    let sn = treeSize - 1;
    let r = leafHash;
    for (const p of path) {
      if (sn === 0) {
        return null;
      }
      if (fn % 2 === 1 || fn === sn) {
        r = await sha256(concat(Uint8Array.of(1), p, r));
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        r = await sha256(concat(Uint8Array.of(1), r, p));
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  async function verify() {
    const record = new Uint8Array(await (await download(d.record, "record-download", d.msgRecordDownload)).arrayBuffer());
    const recordHash = hex(await sha256(record));
    if (recordHash !== d.sha256.toLowerCase()) {
      fail("hash", format(d.msgHash, recordHash, d.sha256));
    }

    let listed;
    try {
      listed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(record));
    } catch {
      fail("record-format", d.msgRecordFormat);
    }
    if (listed.response_id !== d.response || listed.consultation_id !== d.consultation) {
      fail("record-format", d.msgRecordFormat);
    }
    const attachments = Array.isArray(listed.attachments) ? listed.attachments : [];
    // Attachments are downloaded only when that is cheap; larger ones are left to the reader,
    // who compares them with the hashes in the table.
    const attachmentBytes = attachments.reduce((n, a) => n + (Number(a.size) || 0), 0);
    const checkAttachments = attachmentBytes <= Number(d.attachmentLimit);
    for (const a of checkAttachments ? attachments : []) {
      const bytes = await (await download(`${d.attachments}/${a.index}`, "attachment", format(d.msgAttachment, a.file_name))).arrayBuffer();
      if (hex(await sha256(bytes)) !== String(a.sha256).toLowerCase()) {
        fail("attachment", format(d.msgAttachment, a.file_name));
      }
    }

    const [proof, key] = await Promise.all([
      download(d.proof, "proof-download", d.msgProofDownload).then((r) => r.json()),
      download(d.key, "proof-download", d.msgProofDownload).then((r) => r.json()),
    ]).catch((e) => fail(e instanceof StepFailure ? e.outcome : "proof-download", d.msgProofDownload));

    const checkpoint = proof.checkpoint || {};
    const text = String(checkpoint.text || "");
    const lines = text.split("\n");
    if (lines.length !== 5 || lines[4] !== "" || lines[0] !== `wsis-consultations/${d.consultation}` || !/^\d+$/.test(lines[1])) {
      fail("checkpoint", d.msgCheckpoint);
    }
    const size = Number(lines[1]);
    let root;
    try {
      root = fromBase64(lines[2]);
    } catch {
      fail("checkpoint", d.msgCheckpoint);
    }
    const time = new Date(lines[3]);
    if (root.length !== 32 || isNaN(time) || Number(proof.treeSize ?? 0) !== size) {
      fail("checkpoint", d.msgCheckpoint);
    }

    const leafIndex = Number(proof.leafIndex ?? 0);
    let path;
    try {
      path = (proof.path || []).map(fromBase64);
    } catch {
      fail("inclusion", d.msgInclusion);
    }
    const leafHash = await sha256(concat(Uint8Array.of(0), Uint8Array.from(recordHash.match(/../g), (h) => parseInt(h, 16))));
    const computed = Number.isSafeInteger(leafIndex) && leafIndex >= 0
      ? await rootFromInclusionProof(leafIndex, size, leafHash, path)
      : null;
    if (computed === null || !equal(computed, root)) {
      fail("inclusion", d.msgInclusion);
    }

    const pem = String(key.publicKeyPem || "");
    const body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "");
    let spki;
    let publicKey;
    try {
      spki = fromBase64(body);
      publicKey = await crypto.subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    } catch {
      fail("signature", format(d.msgSignature, key.keyId || "?"));
    }
    const keyId = hex((await sha256(spki)).slice(0, 8));
    let signature;
    try {
      signature = fromBase64(String(checkpoint.signature || ""));
    } catch {
      signature = new Uint8Array(0);
    }
    const signed = signature.length === 64 && keyId === checkpoint.keyId && await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" }, publicKey, signature, new TextEncoder().encode(text));
    if (!signed) {
      fail("signature", format(d.msgSignature, keyId));
    }

    const when = time.toLocaleString(lang, { dateStyle: "long", timeStyle: "long", timeZone: "UTC" });
    let words = format(d.msgVerified, leafIndex + 1, leafIndex, size, when, keyId);
    if (attachments.length > 0) {
      words += " " + (checkAttachments
        ? format(d.msgAttachments, attachments.length)
        : format(d.msgAttachmentsSkipped, attachments.length, attachmentBytes));
    }
    show("verified", words);
  }

  const start = () => {
    if (!window.crypto || !window.crypto.subtle || typeof fetch !== "function" || typeof TextDecoder !== "function") {
      show("unavailable", d.msgUnavailable);
      return;
    }
    if (!d.sha256 || !d.proof) {
      show("not-logged", d.msgNotLogged);
      return;
    }
    result.textContent = d.msgVerifying;
    verify().catch((e) => {
      if (e instanceof StepFailure) {
        show(e.outcome, e.message);
      } else {
        show("error", d.msgError);
      }
    });
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
