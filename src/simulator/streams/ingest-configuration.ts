// What a simulated encoder sends. The default is a plausible 1080p60 H.264 + AAC-LC broadcast, after
// the GetStreamSession example in the AWS CLI docs (examples/ivs/get-stream-session.rst), except the
// audio: 48 kHz stereo at 160 kbps, as OBS sends by default, instead of the example's odd 8 kHz.
import type { AudioConfiguration, IngestConfiguration, IngestConfigurations, VideoConfiguration } from '../../model/ivs/types.js'

export const defaultVideoConfiguration: Readonly<Required<VideoConfiguration>> = {
  avcProfile: 'Baseline',
  avcLevel: '4.2',
  codec: 'avc1.42C02A',
  encoder: 'Lavf58.45.100',
  targetBitrate: 8789062,
  targetFramerate: 60,
  videoHeight: 1080,
  videoWidth: 1920,
  level: '4.2',
  track: 'Track0',
  profile: 'Baseline',
}

export const defaultAudioConfiguration: Readonly<Required<AudioConfiguration>> = {
  codec: 'mp4a.40.2',
  targetBitrate: 160000,
  sampleRate: 48000,
  channels: 2,
  track: 'Track0',
}

/** The session's deprecated single-track `ingestConfiguration`, given members over the defaults. */
export function ingestConfigurationOf(overrides: IngestConfiguration = {}): Required<IngestConfiguration> {
  return {
    video: { ...defaultVideoConfiguration, ...overrides.video },
    audio: { ...defaultAudioConfiguration, ...overrides.audio },
  }
}

/**
 * The same tracks as `ingestConfigurations`. IVS leaves avcProfile/avcLevel empty there (docs/ivs-behavior.md
 * §6) since `profile`/`level` carry them.
 */
export function ingestConfigurationsOf(single: Required<IngestConfiguration>): IngestConfigurations {
  return {
    videoConfigurations: [{ ...single.video, avcProfile: '', avcLevel: '' }],
    audioConfigurations: [{ ...single.audio }],
  }
}
