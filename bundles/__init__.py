"""Offline school bundles (离线资源包): export, signing, the offline player, usage coming back."""
