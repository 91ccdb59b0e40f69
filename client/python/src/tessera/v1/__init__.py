"""Generated from proto/tessera/v1; do not edit."""
