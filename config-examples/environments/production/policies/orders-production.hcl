# orders in production: its own secrets, and TLS certificates for its service name.
path "secret/data/orders/production/*" {
  capabilities = ["read"]
}

path "secret/metadata/orders/production/*" {
  capabilities = ["list"]
}

path "pki/issue/internal-services" {
  capabilities = ["update"]
  allowed_parameters = {
    "common_name" = ["orders.production.svc.cluster.local"]
    "ttl"         = []
  }
}
