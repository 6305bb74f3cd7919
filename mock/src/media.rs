//! Tiny procedurally made output files: PNG images, WAV audio, an OBJ mesh and
//! a video placeholder. No dependencies: the PNG uses stored (uncompressed)
//! deflate blocks, with hand-written CRC-32 and Adler-32.

use crate::util::SplitMix64;

/// CRC-32 (IEEE, reflected), as PNG chunks need.
pub fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc: u32 = 0xFFFF_FFFF;
    for part in parts {
        for &b in *part {
            crc ^= u32::from(b);
            for _ in 0..8 {
                let mask = (crc & 1).wrapping_neg();
                crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
            }
        }
    }
    !crc
}

/// Adler-32, as the zlib wrapper needs.
pub fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65_521;
        b %= 65_521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

/// zlib stream of `raw` in stored blocks.
fn zlib_stored(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 65_535 * 5 + 16);
    out.extend_from_slice(&[0x78, 0x01]);
    let mut blocks = raw.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        let last = blocks.peek().is_none();
        let len = u16::try_from(block.len()).unwrap_or(0);
        out.push(u8::from(last));
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(raw).to_be_bytes());
    out
}

/// Encodes 8-bit RGB pixels (`width * height * 3` bytes, row-major) as a PNG.
pub fn encode_png(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    let stride = width as usize * 3;
    let mut raw = Vec::with_capacity((stride + 1) * height as usize);
    for row in rgb.chunks(stride.max(1)).take(height as usize) {
        raw.push(0); // filter: none
        raw.extend_from_slice(row);
    }
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit, truecolour, deflate, adaptive, no interlace
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn hue_to_rgb(h: f64) -> [f64; 3] {
    let h = h.rem_euclid(1.0) * 6.0;
    let x = 1.0 - ((h % 2.0) - 1.0).abs();
    match h as u32 {
        0 => [1.0, x, 0.0],
        1 => [x, 1.0, 0.0],
        2 => [0.0, 1.0, x],
        3 => [0.0, x, 1.0],
        4 => [x, 0.0, 1.0],
        _ => [1.0, 0.0, x],
    }
}

/// A `width`×`height` picture drawn from `seed`: a two-colour diagonal gradient
/// with a soft sun and a horizon of hills, so different generations look different.
pub fn picture_png(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let mut rng = SplitMix64::new(seed);
    let h1 = (rng.next_u64() % 1000) as f64 / 1000.0;
    let h2 = h1 + 0.15 + (rng.next_u64() % 300) as f64 / 1000.0;
    let c1 = hue_to_rgb(h1);
    let c2 = hue_to_rgb(h2);
    let sun = hue_to_rgb(h1 + 0.5);
    let (w, h) = (f64::from(width.max(1)), f64::from(height.max(1)));
    let cx = w * (0.25 + (rng.next_u64() % 500) as f64 / 1000.0);
    let cy = h * (0.2 + (rng.next_u64() % 300) as f64 / 1000.0);
    let radius = w.min(h) * (0.12 + (rng.next_u64() % 100) as f64 / 1000.0);
    let phase = (rng.next_u64() % 628) as f64 / 100.0;
    let freq = 2.0 + (rng.next_u64() % 4) as f64;
    let mut rgb = Vec::with_capacity(width as usize * height as usize * 3);
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (f64::from(x), f64::from(y));
            let t = ((fx / w) + (fy / h)) / 2.0;
            let mut px = [0.0f64; 3];
            for (i, p) in px.iter_mut().enumerate() {
                let a = c1.get(i).copied().unwrap_or(0.0);
                let b = c2.get(i).copied().unwrap_or(0.0);
                *p = (a * (1.0 - t) + b * t) * 0.8 + 0.1;
            }
            let d = ((fx - cx).powi(2) + (fy - cy).powi(2)).sqrt();
            let glow = (1.0 - (d / radius - 0.8).max(0.0) * 2.0).clamp(0.0, 1.0);
            let hill = h * (0.72 + 0.08 * ((fx / w) * freq * std::f64::consts::PI + phase).sin());
            for (i, p) in px.iter_mut().enumerate() {
                let s = sun.get(i).copied().unwrap_or(0.0);
                *p = *p * (1.0 - glow) + (0.6 + 0.4 * s) * glow;
                if fy > hill {
                    *p *= 0.35;
                }
            }
            rgb.extend(px.iter().map(|v| (v.clamp(0.0, 1.0) * 255.0) as u8));
        }
    }
    encode_png(width, height, &rgb)
}

/// A short mono 8-bit WAV: a few notes picked from `seed`.
pub fn tone_wav(seed: u64, seconds: u32) -> Vec<u8> {
    const RATE: u32 = 8000;
    let mut rng = SplitMix64::new(seed);
    let scale = [261.63, 293.66, 329.63, 392.0, 440.0, 523.25];
    let n = RATE * seconds.max(1);
    let note_len = RATE / 4;
    let mut data = Vec::with_capacity(n as usize);
    let mut freq = 440.0;
    for i in 0..n {
        if i % note_len == 0 {
            let k = (rng.next_u64() % scale.len() as u64) as usize;
            freq = scale.get(k).copied().unwrap_or(440.0);
        }
        let t = f64::from(i) / f64::from(RATE);
        let env = 1.0 - f64::from(i % note_len) / f64::from(note_len);
        let v = (t * freq * 2.0 * std::f64::consts::PI).sin() * env * 0.5;
        data.push((128.0 + v * 127.0) as u8);
    }
    let mut out = Vec::with_capacity(44 + data.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + n).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&RATE.to_le_bytes()); // byte rate
    out.extend_from_slice(&1u16.to_le_bytes()); // block align
    out.extend_from_slice(&8u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&data);
    out
}

/// A unit cube in Wavefront OBJ.
pub fn cube_obj(name: &str) -> Vec<u8> {
    format!(
        "# rimp-mock placeholder mesh for {name}\no cube\n\
         v -0.5 -0.5 -0.5\nv 0.5 -0.5 -0.5\nv 0.5 0.5 -0.5\nv -0.5 0.5 -0.5\n\
         v -0.5 -0.5 0.5\nv 0.5 -0.5 0.5\nv 0.5 0.5 0.5\nv -0.5 0.5 0.5\n\
         f 1 2 3 4\nf 5 8 7 6\nf 1 5 6 2\nf 2 6 7 3\nf 3 7 8 4\nf 5 1 4 8\n"
    )
    .into_bytes()
}

/// A placeholder for a video file: an MP4 `ftyp` box followed by a `free`
/// box with a note. Players will not play it (see README).
pub fn video_placeholder(name: &str) -> Vec<u8> {
    let note = format!("rimp-mock placeholder video for {name}; not playable");
    let mut out = Vec::new();
    out.extend_from_slice(&20u32.to_be_bytes());
    out.extend_from_slice(b"ftypisom");
    out.extend_from_slice(&0x200u32.to_be_bytes());
    out.extend_from_slice(b"isom");
    out.extend_from_slice(&u32::try_from(8 + note.len()).unwrap_or(8).to_be_bytes());
    out.extend_from_slice(b"free");
    out.extend_from_slice(note.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
        assert_eq!(crc32(&[b"1234", b"56789"]), 0xCBF4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(adler32(b""), 1);
    }

    /// Walks the chunks, checks every CRC, inflates the stored blocks and
    /// checks the Adler-32 and the size of the pixel data.
    #[test]
    fn png_is_well_formed() {
        let png = picture_png(300, 200, 42);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let mut i = 8;
        let mut idat = Vec::new();
        let mut kinds = Vec::new();
        while i < png.len() {
            let len = u32::from_be_bytes(png[i..i + 4].try_into().unwrap()) as usize;
            let kind = &png[i + 4..i + 8];
            let data = &png[i + 8..i + 8 + len];
            let crc = u32::from_be_bytes(png[i + 8 + len..i + 12 + len].try_into().unwrap());
            assert_eq!(crc, crc32(&[kind, data]));
            if kind == b"IHDR" {
                assert_eq!(u32::from_be_bytes(data[0..4].try_into().unwrap()), 300);
                assert_eq!(u32::from_be_bytes(data[4..8].try_into().unwrap()), 200);
            }
            if kind == b"IDAT" {
                idat.extend_from_slice(data);
            }
            kinds.push(String::from_utf8(kind.to_vec()).unwrap());
            i += 12 + len;
        }
        assert_eq!(kinds, ["IHDR", "IDAT", "IEND"]);
        assert_eq!(&idat[..2], &[0x78, 0x01]);
        let mut j = 2;
        let mut raw = Vec::new();
        loop {
            let header = idat[j];
            let len = u16::from_le_bytes([idat[j + 1], idat[j + 2]]) as usize;
            let nlen = u16::from_le_bytes([idat[j + 3], idat[j + 4]]);
            assert_eq!(!(len as u16), nlen);
            raw.extend_from_slice(&idat[j + 5..j + 5 + len]);
            j += 5 + len;
            if header & 1 == 1 {
                break;
            }
        }
        assert_eq!(raw.len(), 200 * (300 * 3 + 1));
        assert_eq!(
            u32::from_be_bytes(idat[j..j + 4].try_into().unwrap()),
            adler32(&raw)
        );
        assert_ne!(picture_png(16, 16, 1), picture_png(16, 16, 2));
        assert_eq!(picture_png(16, 16, 1), picture_png(16, 16, 1));
    }

    #[test]
    fn other_files() {
        let wav = tone_wav(3, 1);
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(wav.len(), 44 + 8000);
        assert!(
            String::from_utf8(cube_obj("gen_x"))
                .unwrap()
                .contains("f 1 2 3 4")
        );
        assert_eq!(&video_placeholder("g")[4..8], b"ftyp");
    }
}
