# shellcheck shell=bash
# Debian's nginx in front of gunicorn for scripts/prodlike.sh, with the
# deployment's own server blocks (docker/nginx/default.conf) rewritten for
# loopback ports and local paths (the object store's location is named for
# this bucket) - so what is tested here is what compose deploys. Debian's
# nginx 1.22 predates `http2 on;`: the listen flag says the same.

nginx_up() {
    local dir=$1 static=$2 conf
    conf=$dir/nginx/nginx.conf
    command -v nginx >/dev/null || apt_install nginx
    command -v openssl >/dev/null || apt_install openssl
    mkdir -p "$dir/nginx/logs" "$dir/nginx/certs"
    if [ ! -s "$dir/nginx/certs/tls.crt" ]; then
        # A throwaway self-signed certificate for the loopback names; tests trust it explicitly.
        openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
            -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
            -keyout "$dir/nginx/certs/tls.key" -out "$dir/nginx/certs/tls.crt" 2>/dev/null
    fi
    {
        cat <<EOF
daemon on;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/logs/error.log warn;
worker_processes 2;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $dir/nginx/logs/access.log;
    client_body_temp_path $dir/nginx/body;
    proxy_temp_path $dir/nginx/proxy;
    fastcgi_temp_path $dir/nginx/fastcgi;
    uwsgi_temp_path $dir/nginx/uwsgi;
    scgi_temp_path $dir/nginx/scgi;
    sendfile on;
EOF
        sed -e "s|server web:8000;|server 127.0.0.1:$WEB_PORT;|" \
            -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
            -e "s|listen 443 ssl;|listen 127.0.0.1:$HTTPS_PORT ssl http2;|" \
            -e "/^ *http2 on;/d" \
            -e "s|https://\$host\$request_uri|https://\$host:$HTTPS_PORT\$request_uri|" \
            -e "s|/etc/nginx/certs/|$dir/nginx/certs/|g" \
            -e "s|alias /srv/static/;|alias $static/;|" \
            -e "s|location /youke-media/|location /$S3_BUCKET/|" \
            -e "s|proxy_pass http://minio:9000;|proxy_pass http://127.0.0.1:$S3_PORT;|" \
            "$YOUKE_ROOT/docker/nginx/default.conf"
        echo '}'
    } >"$conf"
    nginx -t -q -c "$conf" -p "$dir/nginx" || die "nginx refused $conf"
    if [ -s "$dir/nginx/nginx.pid" ] && kill -0 "$(cat "$dir/nginx/nginx.pid")" 2>/dev/null; then
        nginx -c "$conf" -p "$dir/nginx" -s reload
    else
        nginx -c "$conf" -p "$dir/nginx"
    fi
}

nginx_down() {
    local dir=$1
    [ -s "$dir/nginx/nginx.pid" ] && nginx -c "$dir/nginx/nginx.conf" -p "$dir/nginx" -s quit 2>/dev/null || true
}
