//! RFC 6962 Merkle tree hashing over the ledger: the archive root, inclusion and consistency proofs.
//!
//! leaf = SHA-256(0x00 ‖ entry), node = SHA-256(0x01 ‖ left ‖ right), and a tree of `n` leaves
//! splits at the largest power of two below `n` (RFC 6962 §2.1; RFC 9162 §2.1 for verification).

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The hash of one leaf: SHA-256(0x00 ‖ data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// The hash of an interior node: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two strictly below `n` (`n` ≥ 2).
fn split(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// The Merkle tree hash (MTH) of a list of leaf hashes.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The right edge of a growing tree: the roots of its perfect subtrees, largest first. Appending
/// a leaf and computing the root both take O(log n), so a writer need not rehash the whole
/// ledger after each append.
#[derive(Debug, Clone, Default)]
pub struct CompactTree {
    /// (number of leaves, root) of each perfect subtree, left to right.
    nodes: Vec<(u64, Hash)>,
    size: u64,
}

impl CompactTree {
    /// The tree of `leaves`.
    pub fn from_leaves(leaves: &[Hash]) -> Self {
        let mut t = CompactTree::default();
        for l in leaves {
            t.push(*l);
        }
        t
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let mut node = (1u64, leaf);
        while let Some(&(n, h)) = self.nodes.last() {
            if n != node.0 {
                break;
            }
            self.nodes.pop();
            node = (n * 2, node_hash(&h, &node.1));
        }
        self.nodes.push(node);
        self.size += 1;
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The Merkle tree hash, equal to [`root`] over the same leaves.
    pub fn root(&self) -> Hash {
        let mut it = self.nodes.iter().rev();
        let Some(&(_, mut r)) = it.next() else { return empty_root() };
        for (_, h) in it {
            r = node_hash(h, &r);
        }
        r
    }
}

/// The audit path of leaf `index` in the tree of `leaves` (RFC 6962 §2.1.1), bottom-up.
///
/// Returns `None` when `index` is not a leaf of the tree.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    let mut path = Vec::new();
    inclusion_path(leaves, index, &mut path);
    Some(path)
}

fn inclusion_path(leaves: &[Hash], m: usize, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        inclusion_path(&leaves[..k], m, out);
        out.push(root(&leaves[k..]));
    } else {
        inclusion_path(&leaves[k..], m - k, out);
        out.push(root(&leaves[..k]));
    }
}

/// Why a proof did not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("the proof has the wrong number of hashes for this tree")]
    WrongLength,
    #[error("the computed root `{computed}` is not the expected root `{expected}`")]
    RootMismatch { computed: String, expected: String },
    #[error("a tree cannot shrink: size {old} is larger than {new}")]
    Shrunk { old: u64, new: u64 },
    #[error("the two roots differ for trees of the same size")]
    SameSizeRootsDiffer,
}

/// Recomputes the root from a leaf hash and its audit path (RFC 9162 §2.1.3.2).
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
) -> Result<Hash, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength);
    }
    Ok(r)
}

/// Checks that `leaf` is at `index` in the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let computed = root_from_inclusion_proof(index, size, leaf, proof)?;
    if &computed != root {
        return Err(ProofError::RootMismatch {
            computed: hex::encode(computed),
            expected: hex::encode(root),
        });
    }
    Ok(())
}

/// The consistency proof between the first `old_size` leaves and the whole tree (RFC 6962
/// §2.1.2): what an auditor who kept an old root needs to see that the archive only grew.
pub fn consistency_proof(leaves: &[Hash], old_size: usize) -> Option<Vec<Hash>> {
    if old_size > leaves.len() {
        return None;
    }
    let mut out = Vec::new();
    if old_size > 0 && old_size < leaves.len() {
        subproof(old_size, leaves, true, &mut out);
    }
    Some(out)
}

fn subproof(m: usize, leaves: &[Hash], complete: bool, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !complete {
            out.push(root(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], complete, out);
        out.push(root(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, out);
        out.push(root(&leaves[..k]));
    }
}

/// Checks a consistency proof between two roots (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::Shrunk { old: old_size, new: new_size });
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if old_root == new_root { Ok(()) } else { Err(ProofError::SameSizeRootsDiffer) };
    }
    if old_size == 0 {
        // The empty tree is a prefix of every tree.
        return if proof.is_empty() { Ok(()) } else { Err(ProofError::WrongLength) };
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength);
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut fnode, mut snode) = (old_size - 1, new_size - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if snode == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength);
    }
    if &fr != old_root {
        return Err(ProofError::RootMismatch { computed: hex::encode(fr), expected: hex::encode(old_root) });
    }
    if &sr != new_root {
        return Err(ProofError::RootMismatch { computed: hex::encode(sr), expected: hex::encode(new_root) });
    }
    Ok(())
}

/// Parses a 64-digit hex SHA-256.
pub fn parse_hash(s: &str) -> Option<Hash> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    //! Test vectors from the transparency-dev/merkle project (Apache-2.0):
    //! `rfc6962/rfc6962_test.go` (hasher), `testonly/constants.go` (leaf inputs, root hashes
    //! for every tree size 0..=8) and `proof/verify_test.go` (inclusion and consistency proofs,
    //! and the ways it corrupts them). Values are copied verbatim; indices there are 1-based for
    //! leaves in `inclusionProofs`, 0-based here.

    use super::*;

    fn h(s: &str) -> Hash {
        parse_hash(s).unwrap()
    }

    fn leaf_inputs() -> Vec<Vec<u8>> {
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
            .iter()
            .map(|s| hex::decode(s).unwrap())
            .collect()
    }

    fn leaves() -> Vec<Hash> {
        leaf_inputs().iter().map(|l| leaf_hash(l)).collect()
    }

    /// Root hashes indexed by tree size, 0..=8.
    const ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    #[test]
    fn hasher_vectors() {
        assert_eq!(hex::encode(empty_root()), ROOTS[0]);
        assert_eq!(
            hex::encode(leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
        assert_eq!(
            hex::encode(leaf_hash(b"L123456")),
            "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
        );
        // HashChildren("N123", "N456") takes raw byte strings, not 32-byte hashes.
        let mut hs = Sha256::new();
        hs.update([1u8]);
        hs.update(b"N123");
        hs.update(b"N456");
        let want: Hash = hs.finalize().into();
        assert_eq!(hex::encode(want), "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb");
    }

    #[test]
    fn leaf_level_node_hashes() {
        let want = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        ];
        let got: Vec<String> = leaves().iter().map(hex::encode).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn root_vectors_for_every_size() {
        let l = leaves();
        for (n, want) in ROOTS.iter().enumerate() {
            assert_eq!(hex::encode(root(&l[..n])), *want, "tree size {n}");
            assert_eq!(hex::encode(CompactTree::from_leaves(&l[..n]).root()), *want, "compact tree size {n}");
        }
    }

    /// (leaf index 0-based, tree size, proof)
    fn inclusion_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
        vec![
            (0, 1, vec![]),
            (
                0,
                8,
                vec![
                    h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                    h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                    h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
                ],
            ),
            (
                5,
                8,
                vec![
                    h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                    h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
                ],
            ),
            (2, 3, vec![h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
            (
                1,
                5,
                vec![
                    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
                    h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                    h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                ],
            ),
        ]
    }

    #[test]
    fn inclusion_proof_vectors_are_generated_and_verified() {
        let l = leaves();
        for (index, size, want) in inclusion_vectors() {
            let got = inclusion_proof(&l[..size as usize], index as usize).unwrap();
            assert_eq!(got, want, "proof for leaf {index} in tree {size}");
            let root = h(ROOTS[size as usize]);
            verify_inclusion(index, size, &l[index as usize], &want, &root).unwrap();
        }
    }

    #[test]
    fn corrupted_inclusion_proofs_fail() {
        // The corruptions of `corruptInclusionProof` in proof/verify_test.go.
        let l = leaves();
        let some = h("abacaba000000000000000000000000000000000000000000060061e00123456");
        for (index, size, proof) in inclusion_vectors() {
            let root = h(ROOTS[size as usize]);
            let leaf = l[index as usize];
            let mut probes: Vec<(u64, u64, Hash, Hash, Vec<Hash>)> = vec![
                (index.wrapping_sub(1), size, root, leaf, proof.clone()),
                (index + 1, size, root, leaf, proof.clone()),
                (index ^ 2, size, root, leaf, proof.clone()),
                (index, size * 2, root, leaf, proof.clone()),
                (index, size / 2, root, leaf, proof.clone()),
                (index, size, root, leaf_hash(b"WrongLeaf"), proof.clone()),
                (index, size, h(ROOTS[0]), leaf, proof.clone()),
                (index, size, some, leaf, proof.clone()),
                (index, size, root, leaf, [proof.clone(), vec![root]].concat()),
                (index, size, root, leaf, [vec![root], proof.clone()].concat()),
            ];
            for i in 0..proof.len() {
                let mut p = proof.clone();
                p[i][0] ^= 8;
                probes.push((index, size, root, leaf, p));
            }
            if !proof.is_empty() {
                probes.push((index, size, root, leaf, proof[..proof.len() - 1].to_vec()));
            }
            if proof.len() > 1 {
                let p = [vec![proof[0], some], proof[1..].to_vec()].concat();
                probes.push((index, size, root, leaf, p));
            }
            for (n, (i, s, r, lf, p)) in probes.into_iter().enumerate() {
                // `index ^ 2` can land on the same index only if it equals it; it never does here.
                assert!(
                    verify_inclusion(i, s, &lf, &p, &r).is_err(),
                    "probe {n} of leaf {index} size {size}"
                );
            }
        }
    }

    /// (old size, new size, proof)
    fn consistency_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
        vec![
            (1, 1, vec![]),
            (
                1,
                8,
                vec![
                    h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                    h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                    h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
                ],
            ),
            (
                6,
                8,
                vec![
                    h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                    h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
                ],
            ),
            (
                2,
                5,
                vec![
                    h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                    h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                ],
            ),
            (
                6,
                7,
                vec![
                    h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                    h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
                    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
                ],
            ),
        ]
    }

    #[test]
    fn consistency_proof_vectors_are_generated_and_verified() {
        let l = leaves();
        for (m, n, want) in consistency_vectors() {
            let got = consistency_proof(&l[..n as usize], m as usize).unwrap();
            assert_eq!(got, want, "consistency {m} -> {n}");
            verify_consistency(m, n, &want, &h(ROOTS[m as usize]), &h(ROOTS[n as usize])).unwrap();
        }
    }

    #[test]
    fn corrupted_consistency_proofs_fail() {
        for (m, n, proof) in consistency_vectors() {
            if proof.is_empty() {
                continue;
            }
            let (r1, r2) = (h(ROOTS[m as usize]), h(ROOTS[n as usize]));
            let wrong = leaf_hash(b"WrongRoot");
            let mut probes: Vec<(u64, u64, Hash, Hash, Vec<Hash>)> = vec![
                (m - 1, n, r1, r2, proof.clone()),
                (m + 1, n, r1, r2, proof.clone()),
                (m ^ 2, n, r1, r2, proof.clone()),
                (m, n * 2, r1, r2, proof.clone()),
                (m, n / 2, r1, r2, proof.clone()),
                (m, n, wrong, r2, proof.clone()),
                (m, n, r1, wrong, proof.clone()),
                (m, n, r2, r1, proof.clone()),
                (m, n, r1, r2, vec![]),
                (m, n, r1, r2, [proof.clone(), vec![r1]].concat()),
                (m, n, r1, r2, [proof.clone(), vec![r2]].concat()),
                (m, n, r1, r2, [vec![r1], proof.clone()].concat()),
                (m, n, r1, r2, [vec![r2], proof.clone()].concat()),
                (m, n, r1, r2, [vec![proof[0]], proof.clone()].concat()),
                (m, n, r1, r2, proof[..proof.len() - 1].to_vec()),
            ];
            for i in 0..proof.len() {
                let mut p = proof.clone();
                p[i][0] ^= 16;
                probes.push((m, n, r1, r2, p));
            }
            for (k, (a, b, x, y, p)) in probes.into_iter().enumerate() {
                assert!(verify_consistency(a, b, &p, &x, &y).is_err(), "probe {k} of {m} -> {n}");
            }
        }
    }

    #[test]
    fn trivial_consistency_cases() {
        let e = h(ROOTS[0]);
        assert!(verify_consistency(0, 0, &[], &e, &e).is_ok());
        assert!(verify_consistency(0, 1, &[], &e, &h(ROOTS[1])).is_ok());
        assert!(verify_consistency(1, 0, &[], &e, &e).is_err());
        assert!(verify_consistency(1, 1, &[e], &e, &e).is_err());
    }

    #[test]
    fn every_leaf_of_every_small_tree_proves() {
        let l: Vec<Hash> = (0..40u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        for n in 1..=l.len() {
            let r = root(&l[..n]);
            for i in 0..n {
                let p = inclusion_proof(&l[..n], i).unwrap();
                verify_inclusion(i as u64, n as u64, &l[i], &p, &r).unwrap();
            }
            assert_eq!(CompactTree::from_leaves(&l[..n]).root(), r, "compact tree of {n}");
            for m in 0..=n {
                let p = consistency_proof(&l[..n], m).unwrap();
                verify_consistency(m as u64, n as u64, &p, &root(&l[..m]), &r).unwrap();
            }
        }
    }
}

#[cfg(test)]
mod ct_reference_vectors {
    //! The known answers of Certificate Transparency's reference tree, from
    //! google/certificate-transparency `cpp/merkletree/merkle_tree_test.cc` (Apache-2.0): the
    //! roots as the 8-leaf tree grows (`kSHA256Roots`), its audit paths (`kSHA256Paths`, leaves
    //! 1-based there, 0-based here) and consistency proofs (`kSHA256Proofs`), each corrupted the
    //! ways its `MerkleVerifierTest` corrupts them (except by appending or prepending a hash
    //! that is not 32 bytes long, which `Hash` cannot hold); then its reference checks over trees
    //! of up to 128 one-byte leaves; then proofs made from rewritten histories, which must fail.
    //! Values copied verbatim.

    use super::*;

    const INPUTS: [&str; 8] =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    /// `kSHA256EmptyTreeHash`.
    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// `kSHA256Roots`: the root after each leaf is added, sizes 1 to 8.
    const ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    /// `kSHA256Paths`: (leaf, 1-based, 0 meaning none; tree size; audit path).
    const PATHS: [(u64, u64, &[&str]); 6] = [
        (0, 0, &[]),
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (3, 3, &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (
            2,
            5,
            &[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];

    /// `kSHA256Proofs`: (old size, new size, consistency proof).
    const PROOFS: [(u64, u64, &[&str]); 4] = [
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];

    fn h(s: &str) -> Hash {
        parse_hash(s).unwrap()
    }

    fn hashes(v: &[&str]) -> Vec<Hash> {
        v.iter().map(|s| h(s)).collect()
    }

    fn inputs() -> Vec<Vec<u8>> {
        INPUTS.iter().map(|s| hex::decode(s).unwrap()).collect()
    }

    fn leaves() -> Vec<Hash> {
        inputs().iter().map(|d| leaf_hash(d)).collect()
    }

    #[test]
    fn roots_as_the_tree_grows() {
        let l = leaves();
        let mut t = CompactTree::default();
        assert_eq!(hex::encode(t.root()), EMPTY);
        for (i, want) in ROOTS.iter().enumerate() {
            t.push(l[i]);
            assert_eq!(hex::encode(t.root()), *want, "after leaf {}", i + 1);
            assert_eq!(hex::encode(root(&l[..=i])), *want);
        }
        // Built in two chunks, 3 then 5, as `tree3` is.
        let mut t = CompactTree::from_leaves(&l[..3]);
        assert_eq!(hex::encode(t.root()), ROOTS[2]);
        for leaf in &l[3..] {
            t.push(*leaf);
        }
        assert_eq!(hex::encode(t.root()), ROOTS[7]);
    }

    #[test]
    fn audit_paths_and_consistency_proofs_are_generated() {
        let l = leaves();
        for (leaf, size, want) in PATHS {
            let got = inclusion_proof(&l[..size as usize], (leaf as usize).wrapping_sub(1));
            if leaf == 0 {
                assert_eq!(got, None, "no leaf 0");
            } else {
                assert_eq!(got, Some(hashes(want)), "leaf {leaf} of {size}");
            }
        }
        // `PathToCurrentRoot(9)` of the 8-leaf tree: there is no such leaf.
        assert_eq!(inclusion_proof(&l, 8), None);
        for (m, n, want) in PROOFS {
            assert_eq!(consistency_proof(&l[..n as usize], m as usize), Some(hashes(want)), "{m} -> {n}");
        }
    }

    /// `VerifierCheck`: the path verifies, and every corruption of it fails. `leaf` is 1-based.
    fn verifier_check(leaf: u64, size: u64, path: &[Hash], root: &Hash, data: &[u8]) {
        let idx = |l1: u64| l1.wrapping_sub(1);
        let lh = leaf_hash(data);
        assert_eq!(root_from_inclusion_proof(idx(leaf), size, &lh, path), Ok(*root));
        assert_eq!(verify_inclusion(idx(leaf), size, &lh, path, root), Ok(()));
        let fails = |l1: u64, s: u64, p: &[Hash], r: &Hash, d: &[u8], what: &str| {
            assert!(
                verify_inclusion(idx(l1), s, &leaf_hash(d), p, r).is_err(),
                "{what}: leaf {leaf} of {size} was accepted"
            );
        };
        fails(leaf - 1, size, path, root, data, "leaf - 1");
        fails(leaf + 1, size, path, root, data, "leaf + 1");
        fails(leaf ^ 2, size, path, root, data, "leaf ^ 2");
        fails(leaf, size * 2, path, root, data, "size * 2");
        fails(leaf, size / 2, path, root, data, "size / 2");
        fails(leaf, size, path, root, b"WrongLeaf", "wrong leaf");
        fails(leaf, size, path, &h(EMPTY), data, "wrong root");
        for j in 0..path.len() {
            let mut p = path.to_vec();
            p[j] = h(EMPTY);
            fails(leaf, size, &p, root, data, "element replaced");
        }
        fails(leaf, size, &[path, &[*root]].concat(), root, data, "root appended");
        if !path.is_empty() {
            fails(leaf, size, &path[..path.len() - 1], root, data, "last removed");
        }
        fails(leaf, size, &[&[*root], path].concat(), root, data, "root prepended");
    }

    /// `VerifierConsistencyCheck`: the proof verifies, and every corruption of it fails.
    fn consistency_check(m: u64, n: u64, r1: &Hash, r2: &Hash, proof: &[Hash]) {
        assert_eq!(verify_consistency(m, n, proof, r1, r2), Ok(()), "{m} -> {n}");
        if proof.is_empty() {
            return;
        }
        let fails = |a: u64, b: u64, x: &Hash, y: &Hash, p: &[Hash], what: &str| {
            assert!(verify_consistency(a, b, p, x, y).is_err(), "{what}: {m} -> {n} was accepted");
        };
        let wrong: Hash = Sha256::digest(b"WrongRoot").into();
        fails(m - 1, n, r1, r2, proof, "m - 1");
        fails(m + 1, n, r1, r2, proof, "m + 1");
        fails(m ^ 2, n, r1, r2, proof, "m ^ 2");
        fails(m, n * 2, r1, r2, proof, "n * 2");
        fails(m, n / 2, r1, r2, proof, "n / 2");
        fails(m, n, r1, &wrong, proof, "wrong new root");
        fails(m, n, &wrong, r2, proof, "wrong old root");
        fails(m, n, r2, r1, proof, "roots swapped");
        fails(m, n, r1, r2, &[], "empty proof");
        for j in 0..proof.len() {
            let mut p = proof.to_vec();
            p[j] = h(EMPTY);
            fails(m, n, r1, r2, &p, "element replaced");
        }
        fails(m, n, r1, r2, &[proof, &proof[proof.len() - 1..]].concat(), "last repeated");
        fails(m, n, r1, r2, &proof[..proof.len() - 1], "last removed");
        fails(m, n, r1, r2, &[&proof[..1], proof].concat(), "first repeated");
    }

    #[test]
    fn known_paths_and_proofs_verify_and_their_corruptions_fail() {
        let d = inputs();
        // "Various invalid paths": no leaf 0, no leaf in an empty tree, no leaf 2 of 1.
        for (leaf, size) in [(0u64, 0u64), (0, 1), (1, 0), (2, 1)] {
            for r in [[0u8; 32], h(EMPTY)] {
                assert!(verify_inclusion(leaf.wrapping_sub(1), size, &leaf_hash(b""), &[], &r).is_err());
            }
        }
        for (leaf, size, path) in &PATHS[1..] {
            let root = h(ROOTS[*size as usize - 1]);
            verifier_check(*leaf, *size, &hashes(path), &root, &d[*leaf as usize - 1]);
        }
        for (m, n, proof) in PROOFS {
            consistency_check(m, n, &h(ROOTS[m as usize - 1]), &h(ROOTS[n as usize - 1]), &hashes(proof));
        }
    }

    #[test]
    fn always_and_never_consistent_sizes() {
        // `VerifyConsistencyProof`'s opening cases, with the empty tree's root for "no root".
        let (e, other) = (h(EMPTY), h(ROOTS[0]));
        assert!(verify_consistency(0, 0, &[], &e, &e).is_ok());
        assert!(verify_consistency(0, 1, &[], &e, &other).is_ok());
        assert!(verify_consistency(1, 1, &[], &other, &other).is_ok());
        // Time travel to the past.
        assert_eq!(verify_consistency(1, 0, &[], &e, &e), Err(ProofError::Shrunk { old: 1, new: 0 }));
        assert_eq!(verify_consistency(2, 1, &[], &e, &e), Err(ProofError::Shrunk { old: 2, new: 1 }));
        // An empty proof between different sizes.
        assert_eq!(verify_consistency(1, 2, &[], &e, &e), Err(ProofError::WrongLength));
        // Roots that differ for the same size.
        assert_eq!(verify_consistency(0, 0, &[], &e, &other), Err(ProofError::SameSizeRootsDiffer));
        assert_eq!(verify_consistency(1, 1, &[], &e, &other), Err(ProofError::SameSizeRootsDiffer));
        // Roots that match, but a proof that should be empty is not.
        for (m, n) in [(0, 0), (0, 1), (1, 1)] {
            assert!(verify_consistency(m, n, &[e], &e, &e).is_err(), "{m} -> {n}");
        }
    }

    #[test]
    fn reference_trees_of_up_to_128_one_byte_leaves() {
        // `data_`: 256 leaves, leaf i the single byte i; trees of up to `data_.size() / 2`.
        let data: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        let l: Vec<Hash> = data.iter().map(|d| leaf_hash(d)).collect();
        let roots: Vec<Hash> = (0..=128).map(|n| root(&l[..n])).collect();
        for n in 1..=128usize {
            for leaf in 1..=n {
                let path = inclusion_proof(&l[..n], leaf - 1).unwrap();
                verifier_check(leaf as u64, n as u64, &path, &roots[n], &data[leaf - 1]);
            }
            for m in 1..=n {
                let proof = consistency_proof(&l[..n], m).unwrap();
                consistency_check(m as u64, n as u64, &roots[m], &roots[n], &proof);
            }
        }
    }

    #[test]
    fn proofs_from_rewritten_histories_are_refused() {
        let l: Vec<Hash> = (0..24u32).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect();
        for n in 2..=l.len() {
            for m in 1..n {
                let kept = root(&l[..m]);
                // Positive control: the history that only grew.
                let p = consistency_proof(&l[..n], m).unwrap();
                assert!(verify_consistency(m as u64, n as u64, &p, &kept, &root(&l[..n])).is_ok());
                for j in 0..m {
                    let mut edited = l[..n].to_vec();
                    edited[j] = leaf_hash(b"rewritten");
                    let mut removed = l[..n].to_vec();
                    removed.remove(j);
                    let mut inserted = l[..n].to_vec();
                    inserted.insert(j, leaf_hash(b"inserted"));
                    let mut histories =
                        vec![("edited", edited), ("removed", removed), ("inserted", inserted)];
                    if j + 1 < m {
                        let mut swapped = l[..n].to_vec();
                        swapped.swap(j, j + 1);
                        histories.push(("swapped", swapped));
                    }
                    for (what, hist) in histories {
                        let now = root(&hist);
                        // The rewritten archive's own proof, and the honest one, both fail.
                        let own = consistency_proof(&hist, m).unwrap();
                        assert!(
                            verify_consistency(m as u64, hist.len() as u64, &own, &kept, &now).is_err(),
                            "{what} at {j}: {m} -> {n}"
                        );
                        assert!(verify_consistency(m as u64, hist.len() as u64, &p, &kept, &now).is_err());
                        // An entry of the kept tree, with its honest audit path, is not in the
                        // rewritten tree of the same size.
                        if hist.len() == n {
                            let path = inclusion_proof(&l[..n], j).unwrap();
                            assert!(verify_inclusion(j as u64, n as u64, &l[j], &path, &now).is_err());
                        }
                    }
                }
            }
        }
    }
}
