#!/bin/sh
# Regenerates the test-only TLS material (run once; the files are committed). Validity: 100 years.
# ca.pem/ca.key: the test CA. server.pem/server.key: 127.0.0.1 and localhost, signed by ca.pem.
# other_ca.pem: an unrelated CA (a ca-file that does not match the server).
set -eu
cd "$(dirname "$0")"
days=36500
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days $days \
  -subj "/CN=kestra-secrets test CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days $days \
  -extfile ext.cnf 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout other_ca.key -out other_ca.pem -days $days \
  -subj "/CN=kestra-secrets unrelated CA" -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
rm -f server.csr ext.cnf ca.srl other_ca.key
