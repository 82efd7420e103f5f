//! Images in studio drafts. An educator uploads a PNG, JPEG or WebP file with its alt text
//! (`POST /studio/images`); its type is read from its bytes, never from its name; it is
//! decoded and written again with the `image` crate, so nothing of the file as sent
//! survives but its pixels (no metadata: camera, place, author); stored once by the
//! SHA-256 of what was written, in the database every app server reads; and served from
//! `GET /media/{hash}-{width}.{format}` for a year without asking again, with a copy 640
//! pixels wide for phones that lesson pages offer through `srcset`
//! ([`crate::content::markdown::Media`]). SVG is refused: it can carry script.

use super::{Kind, authorize, store};
use crate::AppState;
use crate::auth::Educator;
use crate::content::markdown::Media;
use crate::error::{Error, Result};
use crate::forms::Back;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// The largest upload, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
/// The widest and tallest image, in pixels (a decoded 6000 × 6000 image is 144 MB).
pub const MAX_SIDE: u32 = 6000;
/// The longest alt text, in characters.
pub const MAX_ALT_CHARS: usize = 300;
/// The largest image as written again, in bytes (a photograph's PNG can be far larger
/// than the JPEG it came from).
pub const MAX_WRITTEN_BYTES: usize = 8 * 1024 * 1024;
/// Images one activity may hold.
pub const MAX_PER_ACTIVITY: i64 = 100;

/// Decoding is memory- and CPU-heavy: two at a time on the whole server, the rest wait.
static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// An image as it is stored: written again from its pixels.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub hash: String,
    /// "png", "jpeg" or "webp".
    pub format: &'static str,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
    /// The copy [`Media::PHONE_WIDTH`] pixels wide, for an image wider than that.
    pub small: Option<Vec<u8>>,
}

impl Prepared {
    pub fn path(&self) -> String {
        Media::path(&self.hash, self.width, self.format)
    }
}

fn format_name(format: ImageFormat) -> Option<&'static str> {
    match format {
        ImageFormat::Png => Some("png"),
        ImageFormat::Jpeg => Some("jpeg"),
        ImageFormat::WebP => Some("webp"),
        _ => None,
    }
}

fn described(format: &str) -> &'static str {
    match format {
        "png" => "a PNG image",
        "jpeg" => "a JPEG image",
        _ => "a WebP image",
    }
}

/// Reads, checks and writes again an uploaded file; the message says what is wrong.
pub fn prepare(file_name: &str, bytes: &[u8]) -> std::result::Result<Prepared, String> {
    if bytes.is_empty() {
        return Err("Choose an image file to upload (PNG, JPEG or WebP).".into());
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(format!(
            "{file_name} is {:.1} MB; an image may be at most {} MB. Export it smaller.",
            bytes.len() as f64 / 1_048_576.0,
            MAX_UPLOAD_BYTES / 1_048_576
        ));
    }
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    if extension == "svg" || extension == "svgz" || head.contains("<svg") {
        return Err(format!(
            "{file_name}: SVG images are not accepted, since an SVG file can carry script. Export it as PNG."
        ));
    }
    let Some(format) = image::guess_format(bytes).ok().and_then(format_name) else {
        return Err(format!(
            "{file_name} is not a PNG, JPEG or WebP image: its bytes are none of them."
        ));
    };
    let named = match extension.as_str() {
        "png" => "png",
        "jpg" | "jpeg" => "jpeg",
        "webp" => "webp",
        _ => {
            return Err(format!(
                "{file_name}: name the file .png, .jpg, .jpeg or .webp, as the image it holds."
            ));
        }
    };
    if named != format {
        return Err(format!(
            "{file_name} is named as {} but its bytes are {}. Export it again or correct the name.",
            described(named),
            described(format)
        ));
    }
    let mut reader = ImageReader::with_format(
        Cursor::new(bytes),
        ImageFormat::from_extension(format).unwrap_or(ImageFormat::Png),
    );
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let unreadable = |error: image::ImageError| match error {
        image::ImageError::Limits(_) => {
            format!("{file_name} is larger than {MAX_SIDE} × {MAX_SIDE} pixels. Export it smaller.")
        }
        error => format!(
            "{file_name} could not be read as {}: {error}.",
            described(format)
        ),
    };
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    // A phone's photograph says which way up it was taken: turned the right way before
    // that note goes with the rest of its metadata.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    let (width, height) = (image.width(), image.height());
    // A WebP photograph (lossy) is written as JPEG: lossless WebP of a photograph is large.
    let format = if format == "webp" && !image.color().has_alpha() {
        "jpeg"
    } else {
        format
    };
    let written = encode(&image, format)?;
    if written.len() > MAX_WRITTEN_BYTES {
        return Err(format!(
            "{file_name} would take {:.1} MB once written again (at most {} MB). Export it smaller or as JPEG.",
            written.len() as f64 / 1_048_576.0,
            MAX_WRITTEN_BYTES / 1_048_576
        ));
    }
    let small = if width > Media::PHONE_WIDTH {
        let scaled_height =
            (u64::from(height) * u64::from(Media::PHONE_WIDTH) / u64::from(width)).max(1) as u32;
        let small = image.resize_exact(
            Media::PHONE_WIDTH,
            scaled_height,
            image::imageops::FilterType::Triangle,
        );
        Some(encode(&small, format)?)
    } else {
        None
    };
    Ok(Prepared {
        hash: hex::encode(Sha256::digest(&written)),
        format,
        width,
        height,
        bytes: written,
        small,
    })
}

/// Pixels written as a new file of `format`: nothing of the original file but its
/// pixels goes in (no EXIF, no text chunks, no ICC profile).
fn encode(image: &DynamicImage, format: &str) -> std::result::Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::new());
    let written = match format {
        // JPEG holds no transparency: the image is flattened to RGB.
        "jpeg" => DynamicImage::ImageRgb8(image.to_rgb8()).write_with_encoder(
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85),
        ),
        "webp" => {
            let pixels = if image.color().has_alpha() {
                DynamicImage::ImageRgba8(image.to_rgba8())
            } else {
                DynamicImage::ImageRgb8(image.to_rgb8())
            };
            pixels.write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut out))
        }
        _ => image.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out)),
    };
    written.map_err(|error| format!("The image could not be written again: {error}."))?;
    Ok(out.into_inner())
}

/// What an upload form sent.
#[derive(Default)]
struct Upload {
    kind: String,
    slug: String,
    alt: String,
    file_name: String,
    file: Vec<u8>,
    twice: Option<String>,
    nul: bool,
    too_large: bool,
}

/// The body was cut at the route's limit (the error, or one it wraps, says so).
fn over_limit(error: &axum::extract::multipart::MultipartError) -> bool {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return true;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(inner) = source {
        if inner.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = inner.source();
    }
    false
}

/// Why a part was not read: `None` when the body was cut at the route's limit (the form
/// then says so), the error to answer otherwise.
fn unread(error: &axum::extract::multipart::MultipartError) -> Option<Error> {
    (!over_limit(error))
        .then(|| Error::bad_request(format!("The upload could not be read: {error}")))
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload> {
    let mut upload = Upload::default();
    let mut seen = std::collections::HashSet::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => match unread(&error) {
                None => {
                    upload.too_large = true;
                    break;
                }
                Some(error) => return Err(error),
            },
        };
        let name = field.name().unwrap_or_default().to_owned();
        if !seen.insert(name.clone()) && upload.twice.is_none() {
            upload.twice = Some(name.clone());
        }
        if name == "file" {
            upload.file_name = field
                .file_name()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
                .take(120)
                .collect();
            match field.bytes().await {
                Ok(bytes) => upload.file = bytes.to_vec(),
                Err(error) => match unread(&error) {
                    None => {
                        upload.too_large = true;
                        break;
                    }
                    Some(error) => return Err(error),
                },
            }
            continue;
        }
        let value = match field.text().await {
            Ok(value) => value,
            Err(error) => match unread(&error) {
                None => {
                    upload.too_large = true;
                    break;
                }
                Some(error) => return Err(error),
            },
        };
        upload.nul |= value.contains('\0');
        let value: String = value.chars().take(MAX_ALT_CHARS * 4).collect();
        match name.as_str() {
            "kind" => upload.kind = value,
            "slug" => upload.slug = value,
            "alt" => upload.alt = value,
            _ => {}
        }
    }
    Ok(upload)
}

/// `POST /studio/images` (multipart: `kind`, `slug`, `alt`, `file`), the activity's owners
/// and administrators: stores the image and lists it on the draft's page with the markdown
/// that shows it.
pub async fn upload(
    State(state): State<AppState>,
    Educator(viewer): Educator,
    multipart: Multipart,
) -> Result<Response> {
    let upload = read_upload(multipart).await?;
    if upload.too_large && upload.kind.is_empty() {
        // Cut before the form's fields: the explained "too large" page.
        return Ok(StatusCode::PAYLOAD_TOO_LARGE.into_response());
    }
    let kind = Kind::parse(upload.kind.trim())?;
    let slug = upload.slug.trim().to_owned();
    let mut conn = state.pool.acquire().await?;
    authorize(&mut conn, &viewer, kind, &slug).await?;
    if super::working(&mut conn, kind, &slug).await?.is_none() {
        return Err(super::not_yours(&slug));
    }
    drop(conn);
    let path = format!("{}#images", kind.studio_path(&slug));
    let alt = upload.alt.trim().to_owned();
    let back_with = |field: &str, message: String| {
        Error::invalid(
            Back::to("studio-images", path.clone())
                .values(vec![(
                    "alt".into(),
                    alt.chars().take(MAX_ALT_CHARS).collect(),
                )])
                .error(field, message),
        )
    };
    if let Some(name) = &upload.twice {
        return Err(back_with("form", crate::forms::sent_twice_message(name)));
    }
    if upload.nul {
        return Err(back_with("alt", crate::forms::NUL_MESSAGE.into()));
    }
    if upload.too_large {
        return Err(back_with(
            "file",
            format!(
                "The file is over {} MB, the largest image accepted. Export it smaller.",
                MAX_UPLOAD_BYTES / 1_048_576
            ),
        ));
    }
    if alt.is_empty() {
        return Err(back_with(
            "alt",
            "Write the alt text: what the image shows, for learners who cannot see it.".into(),
        ));
    }
    if alt.chars().count() > MAX_ALT_CHARS || alt.chars().any(char::is_control) {
        return Err(back_with(
            "alt",
            format!("Write the alt text on one line, at most {MAX_ALT_CHARS} characters."),
        ));
    }
    let file_name = if upload.file_name.is_empty() {
        "The file".to_owned()
    } else {
        upload.file_name.clone()
    };
    let mut conn = state.pool.acquire().await?;
    let held = store::image_count(&mut conn, kind.as_str(), &slug).await?;
    drop(conn);
    if held >= MAX_PER_ACTIVITY {
        return Err(back_with(
            "file",
            format!("An activity holds at most {MAX_PER_ACTIVITY} images."),
        ));
    }
    // Decoding is CPU and memory work: off the threads that answer requests, two at once.
    let permit = DECODING.acquire().await.map_err(Error::internal)?;
    let bytes = upload.file;
    let name_for_task = file_name.clone();
    let prepared = tokio::task::spawn_blocking(move || prepare(&name_for_task, &bytes))
        .await
        .map_err(Error::internal)?
        .map_err(|message| back_with("file", message))?;
    drop(permit);

    let now = crate::clock::now_secs();
    let mut tx = crate::db::write_tx(&state.pool).await?;
    // Both inserts do nothing when the row is there: the same image sent twice at once is
    // stored once (the primary keys serialise them).
    store::insert_image(&mut tx, &prepared, viewer.id, now).await?;
    store::link_image(
        &mut tx,
        kind.as_str(),
        &slug,
        &prepared.hash,
        &file_name,
        &alt,
        viewer.id,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Back::to("studio-images", path)
        .notice(format!(
            "{file_name} uploaded ({} × {} pixels). Put it in a lesson with the line shown below.",
            prepared.width, prepared.height
        ))
        .into_response())
}

/// `GET /media/{file}`: a stored image, or its phone-sized copy, cached for a year (its
/// name is its content's hash, so it never changes).
pub async fn serve(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response> {
    let missing = || Error::not_found("There is no such image.");
    let media = Media::parse(&format!("/media/{file}")).ok_or_else(missing)?;
    let mut conn = state.pool.acquire().await?;
    // The image itself at its own width, its phone-sized copy at 640.
    let bytes = store::image_bytes(
        &mut conn,
        &media.hash,
        &media.format,
        i64::from(media.width),
        i64::from(Media::PHONE_WIDTH),
    )
    .await?
    .ok_or_else(missing)?;
    let content_type = match media.format.as_str() {
        "png" => "image/png",
        "jpeg" => "image/jpeg",
        _ => "image/webp",
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            width,
            height,
            image::Rgb([10, 120, 200]),
        ));
        encode(&image, "png").expect("png")
    }

    #[test]
    fn an_image_is_written_again_with_a_phone_sized_copy() {
        let prepared = prepare("photo.png", &png(1000, 500)).expect("prepared");
        assert_eq!((prepared.width, prepared.height), (1000, 500));
        let small =
            image::load_from_memory(prepared.small.as_deref().expect("small")).expect("decodes");
        assert_eq!((small.width(), small.height()), (640, 320));
        assert_eq!(prepared.hash, hex::encode(Sha256::digest(&prepared.bytes)));
        assert!(
            prepare("icon.png", &png(64, 64))
                .expect("small")
                .small
                .is_none()
        );
    }

    #[test]
    fn a_photograph_is_turned_the_way_it_was_taken() {
        // A JPEG 40 × 20 whose EXIF says "rotate 90° clockwise" (orientation 6).
        let mut plain = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(image::RgbImage::new(40, 20))
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new(&mut plain))
            .expect("jpeg");
        let plain = plain.into_inner();
        let tiff: &[u8] = &[
            b'M', b'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF, first directory at 8
            0, 1, // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, // Orientation, SHORT, 1, value 6
            0, 0, 0, 0, // no next directory
        ];
        let mut segment = b"Exif\0\0".to_vec();
        segment.extend_from_slice(tiff);
        let mut jpeg = plain[..2].to_vec();
        jpeg.extend_from_slice(&[0xFF, 0xE1]);
        jpeg.extend_from_slice(
            &u16::try_from(segment.len() + 2)
                .expect("short")
                .to_be_bytes(),
        );
        jpeg.extend_from_slice(&segment);
        jpeg.extend_from_slice(&plain[2..]);
        let prepared = prepare("photo.jpg", &jpeg).expect("prepared");
        assert_eq!((prepared.width, prepared.height), (20, 40));
    }

    #[test]
    fn what_is_not_a_raster_image_of_its_name_is_refused() {
        let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
        assert!(
            prepare("a.svg", svg)
                .err()
                .unwrap_or_default()
                .contains("SVG")
        );
        assert!(
            prepare("a.png", svg)
                .err()
                .unwrap_or_default()
                .contains("SVG")
        );
        assert!(
            prepare("a.png", b"GIF89a....")
                .err()
                .unwrap_or_default()
                .contains("not a PNG, JPEG or WebP")
        );
        let message = prepare("a.jpg", &png(10, 10)).err().unwrap_or_default();
        assert!(
            message.contains("named as a JPEG image but its bytes are a PNG image"),
            "{message}"
        );
        assert!(
            prepare("a.gif", &png(10, 10))
                .err()
                .unwrap_or_default()
                .contains(".png, .jpg")
        );
        assert!(
            prepare("a.png", &[])
                .err()
                .unwrap_or_default()
                .contains("Choose")
        );
        let mut truncated = png(100, 100);
        truncated.truncate(60);
        assert!(
            prepare("a.png", &truncated)
                .err()
                .unwrap_or_default()
                .contains("could not be read")
        );
    }
}
