#!/usr/bin/env bash
# Starts nginx on 127.0.0.1:PORT serving a fixed ListServices body at /services, for the
# benchmarks. Usage: source it after setting WORK (a temp dir), PORT and PIN; it sets URL and
# leaves nginx running (its pid in $WORK/nginx.pid).
BODY='{"items":[{"arn":"arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdef0","createdAt":"2026-11-21T12:00:00.123Z","dnsEntry":{"domainName":"provider-svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-east-1.on.aws","hostedZoneId":"Z0123456789ABCDEFGHIJ"},"id":"svc-0123456789abcdef0","lastUpdatedAt":"2026-11-21T12:00:00.123Z","name":"provider-svc","status":"ACTIVE"}]}'
cat > "$WORK/nginx.conf" <<CONF
daemon on;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 64; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path $WORK;
  proxy_temp_path $WORK;
  fastcgi_temp_path $WORK;
  uwsgi_temp_path $WORK;
  scgi_temp_path $WORK;
  server {
    listen 127.0.0.1:$PORT;
    location = /services { default_type application/json; return 200 '$BODY'; }
  }
}
CONF
$PIN nginx -c "$WORK/nginx.conf" -p "$WORK"
URL="http://127.0.0.1:$PORT"
for _ in $(seq 50); do curl -sf "$URL/services" >/dev/null && break; sleep 0.05; done
