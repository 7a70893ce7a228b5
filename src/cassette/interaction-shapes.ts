// The model shapes of a stored interaction's operation, for its request identity and the secret
// scan. An interaction names its operation but not its service, so every service ivs-replay has a
// model of is asked (src/model/sensitive-members.ts: firstServiceShapes). A live call knows its
// service: the recorder redacts with that service's shapes.
import { firstServiceShapes, type OperationShapesLookup } from '../model/sensitive-members.js'
import { specs } from '../model/services.js'

export const interactionShapes: OperationShapesLookup = firstServiceShapes(Object.values(specs))
