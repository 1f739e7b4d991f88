#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { loadProfile } from '../lib/config';
import { createCoTalkStacks } from '../lib/co-talk-app';

// The one place configuration enters: `-c env=NAME` picks a profile (default dev).
const app = new App();
const profile = loadProfile(app.node.tryGetContext('env') ?? 'dev');
createCoTalkStacks(app, profile);
app.synth();
