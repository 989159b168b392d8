/**
 * How ffmpeg and ffprobe are pointed at an input file. Shared so that the
 * probe and the decoder accept exactly the same files.
 */

/**
 * Demuxers for the containers we accept: aac, aiff, amr, asf (wma), flac,
 * mp3, ogg (vorbis, opus), wav, matroska (webm, mkv), mov (mp4, m4a).
 * Anything else, notably playlists (hls) and concat lists, is refused: those
 * make ffmpeg open further files or URLs named inside an uploaded file.
 */
const SUPPORTED_DEMUXERS = 'aac,aiff,amr,asf,flac,mp3,ogg,wav,matroska,mov';

/**
 * Input arguments for a local file. The `file:` prefix stops a path such as
 * `http:…` or `pipe:0` from being read as a protocol, and the whitelists stop
 * the demuxer from reaching anything but that file.
 */
export function ffmpegInputArgs(path: string): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', SUPPORTED_DEMUXERS, '-i', `file:${path}`];
}
