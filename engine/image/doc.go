// Package image is berth's local image store: it pulls images from OCI/Docker
// registries and pushes them back (Push), makes images of containers' changes
// (Commit), loads docker-save and OCI archives, imports rootfs tarballs, and unpacks
// every layer once per diffID into a directory ready to be an overlayfs lowerdir.
//
// Layout under the store root ($BERTH_ROOT/images):
//
//	blobs/sha256/<hex>   image configs and manifests, by digest, and layer blobs to push
//	layers/<hex>/        one unpacked layer per diffID, shared by every image using it
//	compressed/<hex>     per layer diffID, the gzip blob in blobs/ that Push sends for it
//	                     (kept from a pull, or made from the layer on its first push)
//	index.json           image records (ID, tags, manifest digest, layer diffIDs)
//	lock                 flock(2) serialising index updates between processes
//	removing.json        journal of a removal under way (Prune, Remove): the layers
//	                     and blobs it deletes once the index dropped their images;
//	                     the next removal finishes an interrupted one
//	tmp/                 work area of unfinished writes; never trusted, swept after a day
//
// Every write is atomic (temp + rename), so a pull killed half-way leaves nothing a
// later run trusts, and the index never names a layer that is gone. Save writes
// images back out as docker-save or OCI archives, packing each layer again from its
// directory (WriteLayerTar); Push sends them to a registry. Layer entries are created with openat2(RESOLVE_BENEATH): no tar
// entry may write outside its layer directory.
//
// The package uses go-containerregistry for the registry protocol and archive formats.
// It never imports compose, netdriver, dnsserver, the orchestrator or cmd.
package image
